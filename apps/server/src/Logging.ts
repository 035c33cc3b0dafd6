/**
 * The server's output: one line per event, in one of two formats (`server.logs.format`, --log-format,
 * GOCHAT_LOG_FORMAT):
 *   text  `2026-12-03T08:12:06.425Z INFO  login user=alice conn=12`   (the default; readable on a terminal)
 *   json  `{"time":"2026-12-03T08:12:06.425Z","level":"INFO","message":"login","user":"alice","conn":12}`
 * Log records go through Effect's logger, at the configured minimum level, to stdout or appended to a file
 * (mode 0600). The start-up lines (`announce`) use the same format on stdout whatever the level, as the
 * original prints its start-up notices. No fiber ids, spans or stack traces: a cause is its one-line message.
 */
import * as fs from "node:fs"
import { PlatformLogger } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Cause, Console, Data, Effect, HashMap, Layer, Logger, LogLevel } from "effect"
import type { LogFormat, LogLevelName, ServerSettings } from "./config/ServerConfig.js"

export class LogFileError extends Data.TaggedError("LogFileError")<{ readonly message: string }> {}

export const toLogLevel = (name: LogLevelName): LogLevel.LogLevel => {
  switch (name) {
    case "ALL":
      return LogLevel.All
    case "DEBUG":
      return LogLevel.Debug
    case "INFO":
      return LogLevel.Info
    case "WARNING":
      return LogLevel.Warning
    case "ERROR":
      return LogLevel.Error
    case "FATAL":
      return LogLevel.Fatal
    case "NONE":
      return LogLevel.None
  }
}

/** One part of a log message or an annotation as readable text (never `[object Object]`). */
const plain = (u: unknown): string => {
  if (typeof u === "string") return u
  if (u instanceof Error) return u.message
  if (Cause.isCause(u)) return Cause.isEmpty(u) ? "" : plain(Cause.squash(u))
  if (typeof u === "bigint" || typeof u === "number" || typeof u === "boolean" || u === undefined || u === null) return String(u)
  try {
    return JSON.stringify(u, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(u)
  } catch {
    return String(u)
  }
}

const firstLine = (s: string) => s.split(/\r?\n/, 1)[0]

const quoted = (s: string) => (s === "" || /[\s"=]/.test(s) ? JSON.stringify(s) : s)

export interface LogRecord {
  readonly date: Date
  readonly level: string
  readonly message: unknown
  readonly annotations?: Iterable<readonly [string, unknown]>
  readonly cause?: Cause.Cause<unknown>
}

/** The line for one record in the chosen format. */
export const formatRecord = (format: LogFormat, r: LogRecord): string => {
  const parts = (Array.isArray(r.message) ? r.message : [r.message]).map(plain).filter((p) => p !== "")
  const message = firstLine(parts.join(": "))
  const fields = [...(r.annotations ?? [])]
  const cause = r.cause && !Cause.isEmpty(r.cause) && !Cause.isInterruptedOnly(r.cause) ? firstLine(plain(r.cause)) : undefined
  if (format === "json") {
    const object: Record<string, unknown> = { time: r.date.toISOString(), level: r.level, message }
    for (const [k, v] of fields) object[k] = typeof v === "number" || typeof v === "boolean" ? v : plain(v)
    if (cause !== undefined) object.cause = cause
    return JSON.stringify(object)
  }
  const tail = fields.map(([k, v]) => ` ${k}=${quoted(firstLine(plain(v)))}`).join("")
  return `${r.date.toISOString()} ${r.level.padEnd(5)} ${message}${tail}${cause === undefined ? "" : ` cause=${quoted(cause)}`}`
}

const lineLogger = (format: LogFormat): Logger.Logger<unknown, string> =>
  Logger.make(({ annotations, cause, date, logLevel, message }) =>
    formatRecord(format, { date, level: logLevel.label, message, annotations: HashMap.toEntries(annotations), cause }))

/** A start-up line, on stdout in the configured format whatever the log level. */
export const announce = (format: LogFormat, message: string, level: "INFO" | "WARN" = "INFO"): Effect.Effect<void> =>
  Console.log(formatRecord(format, { date: new Date(), level, message }))

/** The logger for these settings: stdout or the log file, the minimum level. */
export const loggingLayer = (
  settings: Pick<ServerSettings, "logLevel" | "logFile" | "logFormat">
): Layer.Layer<never, LogFileError> => {
  const logger = lineLogger(settings.logFormat)
  const file = settings.logFile
  const output = file === undefined
    ? Logger.replace(Logger.defaultLogger, Logger.withConsoleLog(logger))
    : Layer.unwrapEffect(Effect.as(
      // opened here first: a log file that cannot be written stops the start with one line, and a new one is 0600
      Effect.try({
        try: () => fs.closeSync(fs.openSync(file, "a", 0o600)),
        catch: (e) =>
          new LogFileError({
            message: `cannot open the log file ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)}); check --log-file, GOCHAT_LOG_FILE or server.logs.log_file`
          })
      }),
      Logger.replaceScoped(Logger.defaultLogger, PlatformLogger.toFile(logger, file, { flag: "a", mode: 0o600 })).pipe(
        Layer.provide(NodeFileSystem.layer),
        Layer.orDie
      )
    ))
  return Layer.merge(output, Logger.minimumLogLevel(toLogLevel(settings.logLevel)))
}
