/**
 * Logs go through Effect's logger: logfmt lines, at the configured minimum level, to stdout or appended
 * to a file (`server.logs.log_file`).
 */
import { PlatformLogger } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Layer, Logger, LogLevel } from "effect"
import type { LogLevelName } from "./config/ConfigFile.js"

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

export const loggingLayer = (level: LogLevelName, file: string | undefined): Layer.Layer<never> => {
  const output = file === undefined
    ? Logger.logFmt
    : Logger.replaceScoped(
      Logger.defaultLogger,
      Logger.logfmtLogger.pipe(PlatformLogger.toFile(file, { flag: "a" }))
    ).pipe(Layer.provide(NodeFileSystem.layer), Layer.orDie)
  return Layer.merge(output, Logger.minimumLogLevel(toLogLevel(level)))
}
