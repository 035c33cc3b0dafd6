/**
 * The server's command line: `serve` (also the default when no command is given), the operator shell and
 * commands, which open the database directly and work while a server runs on the same database, and tools.
 *
 * The options are the settings of ServerConfig.ts (each a flag, a variable and a server.json key), so this
 * file parses them from the table rather than declaring them again: every setting added there is a flag here,
 * with its line in `--help`. The original's spellings (`-config FILE`, `-shell`, `-help`) are accepted beside
 * ours. Every failure is one line on stderr (`error: ...`): exit status 2 for a mistake on the command line,
 * 1 for anything else. Help is plain text (no colour codes, so NO_COLOR and pipes get the same).
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { NodeContext } from "@effect/platform-node"
import { describeFailure, fromOriginalFlags, PROTOCOL_VERSION, versionWithCommit } from "@gochat/protocol"
import { Cause, Console, Data, Effect, Either, Exit, Layer, Option } from "effect"
import {
  describeDatabase,
  describeSettings,
  type LoadedConfig,
  loadConfig,
  readConfigFile,
  resolveConfig,
  SETTINGS,
  type SettingId
} from "./config/ServerConfig.js"
import { Shutdown } from "./hubs/Shutdown.js"
import { announce, loggingLayer } from "./Logging.js"
import { OPERATIONS, usageOf } from "./Operator.js"
import { operatorShell } from "./OperatorShell.js"
import { serverLayer, storageLayer } from "./Server.js"
import { Listeners } from "./server/Listeners.js"
import { databaseLayer, migrate } from "./storage/Database.js"

export const VERSION = "1.0.0"
const NAME = "gochat-server"

/** A mistake on the command line (exit status 2). */
class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}
/** A command that could not do its work (exit status 1). */
class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

// ---------------------------------------------------------------------------------------------
// The original's spellings

/**
 * Rewrites the original's command lines into ours: Go's flag package takes `-config FILE`, `-config=FILE`,
 * `-shell`, `-help` (and the same with two dashes). `-shell` becomes our `shell` command. Only these exact
 * spellings are touched, and nothing after `--`.
 */
export const fromOriginalSpellings = (args: ReadonlyArray<string>): Array<string> => {
  const out = fromOriginalFlags(args, {
    config: { to: "--config", value: true },
    shell: { to: "--shell" },
    help: { to: "--help" },
    h: { to: "--help" }
  })
  const end = out.includes("--") ? out.indexOf("--") : out.length
  const shell = out.slice(0, end).some((a) => a === "--shell" || a === "--shell=true")
  const rest = out.filter((a, i) => i >= end || (a !== "--shell" && !a.startsWith("--shell=")))
  return shell ? ["shell", ...rest] : rest
}

// ---------------------------------------------------------------------------------------------
// Commands

interface Input {
  readonly positional: ReadonlyArray<string>
  /** Option values by name (without dashes). */
  readonly options: ReadonlyMap<string, string>
}

interface ToolOption {
  readonly placeholder: string
  readonly doc: string
  readonly fallback: string
}

interface CommandSpec {
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly doc: string
  /** Takes --config and the settings' flags. */
  readonly settings: boolean
  /** Options of its own (gencert). */
  readonly options?: Readonly<Record<string, ToolOption>>
  readonly run: (input: Input) => Effect.Effect<void, unknown, any>
}

const FLAG_TO_ID: ReadonlyMap<string, SettingId> = new Map(
  (Object.entries(SETTINGS) as Array<[SettingId, { flag?: string }]>)
    .filter(([, s]) => s.flag !== undefined)
    .map(([id, s]) => [s.flag!, id])
)

/** The settings' flags given on the command line, by setting id. */
const flagsOf = (input: Input): Partial<Record<SettingId, string>> => {
  const flags: Partial<Record<SettingId, string>> = {}
  for (const [name, value] of input.options) {
    const id = FLAG_TO_ID.get(name)
    if (id !== undefined) flags[id] = value
  }
  return flags
}

/** The effective configuration for a command: --config (or the discovered file), flags, variables. */
const configFrom = (input: Input) => loadConfig(input.options.get("config"), flagsOf(input))

/** The start-up lines every command that reads the configuration prints first. */
const sayConfig = (loaded: LoadedConfig, say: (line: string, level?: "WARN") => Effect.Effect<void>) =>
  Effect.gen(function*() {
    for (const note of loaded.notes) yield* say(note, "WARN")
    yield* say(`config ${loaded.file ?? "none: built-in defaults, flags and GOCHAT_* variables"}`)
  })

/** Runs the server until a signal or a scheduled shutdown; prints where it listens and where data lives. */
export const serve = (loaded: LoadedConfig) => {
  const { settings } = loaded
  const say = (line: string, level?: "WARN") => announce(settings.logFormat, line, level)
  return Effect.scoped(Effect.gen(function*() {
    yield* sayConfig(loaded, say)
    const context = yield* Layer.build(serverLayer(settings))
    const listeners = yield* Effect.provide(Listeners, context)
    const shutdown = yield* Effect.provide(Shutdown, context)
    yield* say(`gochat server ${VERSION} (protocol ${PROTOCOL_VERSION}), pid ${process.pid}`)
    yield* say(`listening on tcp://${settings.address}:${listeners.port}`)
    if (listeners.tlsPort !== undefined) yield* say(`listening on tls://${settings.address}:${listeners.tlsPort}`)
    yield* say(`database ${describeDatabase(settings.database)}`)
    if (settings.logFile) yield* say(`logging to ${settings.logFile}`)
    // a stop signal interrupts this wait (ProcessStop.ts); ADMIN_SHTDWN's time ends it
    yield* Effect.ensuring(shutdown.stopped, say("shutting down"))
  })).pipe(
    Effect.onExit((exit) => Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause) ? say("stopped") : Effect.void),
    Effect.provide(loggingLayer(settings))
  )
}

const withStorage = <A, E, R>(input: Input, body: (loaded: LoadedConfig) => Effect.Effect<A, E, R>) =>
  Effect.flatMap(configFrom(input), (loaded) => Effect.provide(body(loaded), storageLayer(loaded.settings)))

const serveCommand: CommandSpec = {
  name: "serve",
  args: [],
  doc: "run the server (the default when no command is given)",
  settings: true,
  run: (input) => Effect.flatMap(configFrom(input), serve)
}

const shellCommand: CommandSpec = {
  name: "shell",
  args: [],
  doc: "operator shell on the database (the original's -shell): SETOWNER, SETPERMS, USERS, CLEARCACHE, HELP, EXIT",
  settings: true,
  run: (input) =>
    withStorage(input, (loaded) =>
      Effect.gen(function*() {
        if (process.stdin.isTTY === true) yield* sayConfig(loaded, (line) => Console.log(line))
        const failures = yield* operatorShell(describeDatabase(loaded.settings.database))
        // a script fed through stdin fails if one of its commands failed
        if (failures > 0 && process.stdin.isTTY !== true) process.exitCode = 1
      }))
}

const operationCommands: Array<CommandSpec> = OPERATIONS.map((op) => ({
  name: op.name,
  args: op.args,
  doc: op.doc,
  settings: true,
  run: (input) => withStorage(input, () => op.run(input.positional))
}))

const migrateCommand: CommandSpec = {
  name: "migrate",
  args: [],
  doc: "apply pending database migrations (serve does it too)",
  settings: true,
  run: (input) =>
    Effect.flatMap(configFrom(input), ({ settings }) =>
      Effect.gen(function*() {
        const applied = yield* migrate
        if (applied.length === 0) yield* Console.log(`${describeDatabase(settings.database)}: schema is up to date`)
        for (const [id, name] of applied) yield* Console.log(`applied migration ${id} ${name}`)
      }).pipe(Effect.provide(databaseLayer(settings.database))))
}

const configCheckCommand: CommandSpec = {
  name: "config check",
  args: ["file"],
  doc: "validate a config file and print the effective configuration (flags and GOCHAT_* variables applied)",
  settings: true,
  run: (input) =>
    Effect.gen(function*() {
      const [file] = input.positional
      const settings = Either.flatMap(readConfigFile(file), (f) => resolveConfig({ flags: flagsOf(input), env: process.env, file: f }))
      if (Either.isLeft(settings)) return yield* new CliError({ message: settings.left })
      yield* Console.log(JSON.stringify(describeSettings(settings.right), null, 2))
      yield* Console.log(`${file}: OK`)
    })
}

const gencertCommand: CommandSpec = {
  name: "gencert",
  args: [],
  doc: "create a self-signed TLS certificate and key for local testing (with openssl)",
  settings: false,
  options: {
    out: { placeholder: "<dir>", doc: "output directory", fallback: "certs" },
    name: { placeholder: "<host>", doc: "host name in the certificate", fallback: "localhost" },
    days: { placeholder: "<n>", doc: "validity in days", fallback: "365" }
  },
  run: (input) =>
    Effect.gen(function*() {
      const opt = (name: string) => input.options.get(name) ?? gencertCommand.options![name].fallback
      const days = Number(opt("days"))
      if (!/^\d+$/.test(opt("days")) || days < 1) {
        return yield* new UsageError({ message: `--days: expected a positive integer, got ${JSON.stringify(opt("days"))}` })
      }
      const dir = path.resolve(opt("out"))
      const certFile = path.join(dir, "gochat.pem")
      const keyFile = path.join(dir, "gochat.key")
      yield* Effect.try({
        try: () => {
          fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
          execFileSync("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-keyout", keyFile, "-out", certFile, "-days", String(days),
            "-subj", `/CN=${opt("name")}`,
            "-addext", `subjectAltName=DNS:${opt("name")},DNS:localhost,IP:127.0.0.1`
          ], { stdio: ["ignore", "ignore", "pipe"] })
          fs.chmodSync(keyFile, 0o600)
        },
        catch: (e) => new CliError({ message: `openssl failed: ${(e as Error).message.split("\n")[0]}` })
      })
      yield* Console.error("WARNING: this is a SELF-SIGNED certificate for local testing only.")
      yield* Console.error("         Clients must skip verification or trust it explicitly; use a real CA certificate in production.")
      yield* Console.log(`certificate: ${certFile}`)
      yield* Console.log(`private key: ${keyFile}`)
      yield* Console.log(`use: --tls-port 8037 --tls-cert ${certFile} --tls-key ${keyFile}`)
    })
}

const COMMANDS: ReadonlyArray<CommandSpec> = [
  serveCommand,
  shellCommand,
  ...operationCommands,
  migrateCommand,
  configCheckCommand,
  gencertCommand
]

// ---------------------------------------------------------------------------------------------
// Parsing

const commandNames = () => COMMANDS.map((c) => c.name).join(", ")

/** The command and its input, or a one-line usage error. */
export const parseCommandLine = (args: ReadonlyArray<string>): Either.Either<{ command: CommandSpec; input: Input }, string> => {
  let command: CommandSpec | undefined
  const positional: Array<string> = []
  const options = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === "--") {
      positional.push(...args.slice(i + 1))
      break
    }
    if (a.startsWith("--")) {
      const eq = a.indexOf("=")
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2)
      const value = eq > 0 ? a.slice(eq + 1) : args[++i]
      if (value === undefined) return Either.left(`--${name} needs a value`)
      options.set(name, value)
    } else if (a.startsWith("-") && a.length > 1) {
      return Either.left(`unknown option ${a}; options are spelled --name (${NAME} --help lists them)`)
    } else if (command === undefined && positional.length === 0) {
      const name = a === "config" && args[i + 1] === "check" ? (i++, "config check") : a
      command = COMMANDS.find((c) => c.name === name)
      if (command === undefined) {
        return Either.left(`unknown command ${JSON.stringify(a)}; the commands are ${commandNames()} (${NAME} --help)`)
      }
    } else positional.push(a)
  }
  const cmd = command ?? serveCommand
  for (const name of options.keys()) {
    const known = cmd.settings ? name === "config" || FLAG_TO_ID.has(name) : cmd.options?.[name] !== undefined
    if (!known) {
      return Either.left(`unknown option --${name} for ${cmd.name}; ${NAME} ${cmd.name} --help lists its options`)
    }
  }
  if (positional.length !== cmd.args.length) {
    const usage = `${NAME} ${usageOf(cmd)}`
    return Either.left(positional.length < cmd.args.length
      ? `${cmd.name} needs ${cmd.args.slice(positional.length).map((a) => `<${a}>`).join(" ")}: ${usage}`
      : `too many arguments for ${cmd.name} (${positional.slice(cmd.args.length).map((p) => JSON.stringify(p)).join(" ")}): ${usage}`)
  }
  return Either.right({ command: cmd, input: { positional, options } })
}

// ---------------------------------------------------------------------------------------------
// Help

const table = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}

const settingRow = (id: SettingId): readonly [string, string] => {
  const s = SETTINGS[id] as (typeof SETTINGS)[SettingId] & { flag?: string; env?: string; shownDefault?: string }
  const facts = [
    s.shownDefault === undefined ? "no default" : `default ${s.shownDefault}`,
    ...(s.env ? [`$${s.env}`] : []),
    ...(s.flag ? [s.key] : [])
  ]
  return [s.flag ? `--${s.flag} ${s.type.placeholder}` : s.key, `${s.doc} [${facts.join("; ")}]`]
}

const ids = Object.keys(SETTINGS) as Array<SettingId>

export const helpText = (command: CommandSpec | undefined): string => {
  if (command === undefined) {
    return [
      `${NAME} ${VERSION}: the gochat v1 server (protocol ${PROTOCOL_VERSION})`,
      "",
      `usage: ${NAME} [command] [options]      (no command: serve)`,
      "",
      "commands:",
      ...table(COMMANDS.map((c) => [usageOf(c), c.doc])),
      "",
      "options of serve, shell and the database commands (a flag wins over its variable, which wins over the file):",
      ...table([
        ["--config <file>", "config file: the original's server.json keys plus ours [default ./config.json if it is one; $GOCHAT_CONFIG]"],
        ...ids.filter((id) => "flag" in SETTINGS[id]).map(settingRow)
      ]),
      "",
      "settings only in the config file:",
      ...table(ids.filter((id) => !("flag" in SETTINGS[id])).map(settingRow)),
      "",
      "The original's spellings work too: -config <file>, -shell, -help."
    ].join("\n")
  }
  const own = command.options
    ? table(Object.entries(command.options).map(([name, o]) => [`--${name} ${o.placeholder}`, `${o.doc} [default ${o.fallback}]`]))
    : [`  --config <file> and every setting flag (${NAME} --help lists them)`]
  return [`usage: ${NAME} ${usageOf(command)} [options]`, "", command.doc, "", "options:", ...own].join("\n")
}

// ---------------------------------------------------------------------------------------------
// Running

const fail = (code: number, message: string) =>
  Effect.sync(() => {
    process.stderr.write(`error: ${message}\n`)
    process.exitCode = code
  })

/** Runs the command line (`argv` as process.argv: node, script, args...); sets process.exitCode. */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<void, never, NodeContext.NodeContext> => {
  const args = fromOriginalSpellings(argv.slice(2))
  const beforeEnd = args.includes("--") ? args.slice(0, args.indexOf("--")) : args
  if (beforeEnd.includes("--help")) {
    const first = beforeEnd.find((a) => !a.startsWith("-"))
    const name = first === "config" ? "config check" : first
    return Console.log(helpText(COMMANDS.find((c) => c.name === name)))
  }
  if (beforeEnd.includes("--version")) return Console.log(versionWithCommit(VERSION))
  const parsed = parseCommandLine(args)
  if (Either.isLeft(parsed)) return fail(2, parsed.left)
  const { command, input } = parsed.right
  return Effect.suspend(() => command.run(input)).pipe(
    Effect.catchAllCause((cause) => {
      if (Cause.isInterruptedOnly(cause)) return Effect.void
      const error = Option.getOrElse(Cause.failureOption(cause), () => Cause.squash(cause))
      return fail(error instanceof UsageError ? 2 : 1, describeFailure(error))
    })
  ) as Effect.Effect<void, never, NodeContext.NodeContext>
}
