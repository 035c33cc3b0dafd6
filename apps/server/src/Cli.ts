/**
 * The server's command line: `serve` (also the default when no command is given) and the operator
 * commands, which open the database directly and work while a server runs on the same database.
 * Every failure prints one line on stderr and exits non-zero.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { isPermission, isValidUsername, normalizeUsername, PROTOCOL_VERSION, permissionName, versionWithCommit } from "@gochat/protocol"
import { Config, Console, Data, Effect, Layer, Option } from "effect"
import { envName, type LimitName, LIMIT_NAMES, LIMITS, type LimitValues, parseKeyBits } from "./config/Limits.js"
import {
  ConfigError,
  type ConfigOverrides,
  describeDatabase,
  describeSettings,
  loadConfig,
  type ServerSettings
} from "./config/ServerConfig.js"
import { Shutdown } from "./hubs/Shutdown.js"
import { loggingLayer } from "./Logging.js"
import { serverLayer, storageLayer } from "./Server.js"
import { Listeners } from "./server/Listeners.js"
import { databaseLayer, migrate } from "./storage/Database.js"
import { MessagesRepo } from "./storage/MessagesRepo.js"
import { UsersRepo } from "./storage/UsersRepo.js"

export const VERSION = "1.0.0"

class CliError extends Data.TaggedError("CliError")<{ readonly message: string }> {}

// ---------------------------------------------------------------------------------------------
// Options

const config = Options.text("config").pipe(
  Options.withDescription("server.json (the original's keys plus ours); flags override it"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_CONFIG")))
)
const db = Options.text("db").pipe(
  Options.withDescription("database: sqlite:<path> or mysql://user:pass@host:port/db (default sqlite:<data-dir>/gochat.db)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_DB")))
)
const dataDir = Options.text("data-dir").pipe(
  Options.withDescription("directory for the embedded SQLite database (default ./data)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_DATA_DIR")))
)
const port = Options.integer("port").pipe(
  Options.withDescription("plain TCP port (default 9037; 0 picks a free port and prints it)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.integer("GOCHAT_PORT")))
)
const address = Options.text("address").pipe(
  Options.withDescription("address both listeners bind (default 0.0.0.0)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_ADDRESS")))
)
const logLevel = Options.text("log-level").pipe(
  Options.withDescription("ALL, DEBUG, INFO, WARNING, ERROR, FATAL or NONE (default INFO)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_LOG_LEVEL")))
)
const logFile = Options.text("log-file").pipe(
  Options.withDescription("append logs to this file instead of stdout"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_LOG_FILE")))
)
const maxClients = Options.integer("max-clients").pipe(
  Options.withDescription("connections served at once; later ones wait in a FIFO queue (default 1000)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.integer("GOCHAT_MAX_CLIENTS")))
)
const tlsPort = Options.integer("tls-port").pipe(
  Options.withDescription("enable the TLS listener on this port (needs --tls-cert and --tls-key or the config's)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.integer("GOCHAT_TLS_PORT")))
)
const tlsCert = Options.text("tls-cert").pipe(
  Options.withDescription("TLS certificate PEM file"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_TLS_CERT")))
)
const tlsKey = Options.text("tls-key").pipe(
  Options.withDescription("TLS private key PEM file"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_TLS_KEY")))
)

const keyBits = Options.text("key-bits").pipe(
  Options.withDescription("RSA modulus sizes REG accepts, separated by commas (default 4096; the exponent must be 65537)"),
  Options.optional,
  Options.withFallbackConfig(Config.option(Config.string("GOCHAT_KEY_BITS")))
)

/** One flag per abuse limit (the table in config/Limits.ts), each with its GOCHAT_ environment variable. */
const limits = Object.fromEntries(LIMIT_NAMES.map((name) => {
  const spec = LIMITS[name]
  return [name, Options.integer(spec.flag).pipe(
    Options.withDescription(`${spec.doc} (default ${spec.default}; server.limits.${spec.key})`),
    Options.optional,
    Options.withFallbackConfig(Config.option(Config.integer(envName(spec.flag))))
  )]
})) as { readonly [K in LimitName]: Options.Options<Option.Option<number>> }

/** Every serve option also reads an environment variable (GOCHAT_PORT, GOCHAT_DB, ...): flags > env > file. */
const serveOptions = { config, db, dataDir, port, address, logLevel, logFile, maxClients, tlsPort, tlsCert, tlsKey, keyBits, limits }
const dbOptions = { config, db, dataDir }

type Opt<A> = Option.Option<A>
const get = <A>(o: Opt<A>): A | undefined => Option.getOrUndefined(o)

const settingsFrom = (o: {
  readonly config: Opt<string>
  readonly db: Opt<string>
  readonly dataDir: Opt<string>
  readonly port?: Opt<number>
  readonly address?: Opt<string>
  readonly logLevel?: Opt<string>
  readonly logFile?: Opt<string>
  readonly maxClients?: Opt<number>
  readonly tlsPort?: Opt<number>
  readonly tlsCert?: Opt<string>
  readonly tlsKey?: Opt<string>
  readonly keyBits?: Opt<string>
  readonly limits?: { readonly [K in LimitName]: Opt<number> }
}) => {
  const keyBitsText = o.keyBits && get(o.keyBits)
  const keyBitsParsed = keyBitsText === undefined ? undefined : parseKeyBits(keyBitsText)
  if (typeof keyBitsParsed === "string") return Effect.fail(new ConfigError({ message: `--key-bits: ${keyBitsParsed}` }))
  const limitOverrides: Partial<Record<LimitName, number>> = {}
  if (o.limits) for (const name of LIMIT_NAMES) limitOverrides[name] = get(o.limits[name])
  const overrides: ConfigOverrides = {
    keyBits: keyBitsParsed,
    limits: limitOverrides as Partial<LimitValues>,
    db: get(o.db),
    dataDir: get(o.dataDir),
    port: o.port && get(o.port),
    address: o.address && get(o.address),
    logLevel: o.logLevel && get(o.logLevel),
    logFile: o.logFile && get(o.logFile),
    maxClients: o.maxClients && get(o.maxClients),
    tlsPort: o.tlsPort && get(o.tlsPort),
    tlsCert: o.tlsCert && get(o.tlsCert),
    tlsKey: o.tlsKey && get(o.tlsKey)
  }
  return loadConfig(get(o.config), overrides)
}

// ---------------------------------------------------------------------------------------------
// serve

/** Runs the server until a signal or a scheduled shutdown; prints where it listens and where data lives. */
export const serve = (settings: ServerSettings) =>
  Effect.scoped(Effect.gen(function*() {
    const context = yield* Layer.build(serverLayer(settings))
    const listeners = yield* Effect.provide(Listeners, context)
    const shutdown = yield* Effect.provide(Shutdown, context)
    yield* Console.log(`gochat server ${VERSION} (protocol ${PROTOCOL_VERSION}), pid ${process.pid}`)
    yield* Console.log(`listening on tcp://${settings.address}:${listeners.port}`)
    if (listeners.tlsPort !== undefined) yield* Console.log(`listening on tls://${settings.address}:${listeners.tlsPort}`)
    yield* Console.log(`database ${describeDatabase(settings.database)}`)
    if (settings.logFile) yield* Console.log(`logging to ${settings.logFile}`)
    yield* shutdown.stopped
    yield* Console.log("shutting down")
  })).pipe(Effect.provide(loggingLayer(settings.logLevel, settings.logFile)))

const serveHandler = (o: Parameters<typeof settingsFrom>[0]) => Effect.flatMap(settingsFrom(o), serve)

const serveCommand = Command.make("serve", serveOptions, serveHandler).pipe(
  Command.withDescription("run the server (the default command)")
)

// ---------------------------------------------------------------------------------------------
// Operator commands (database only)

const withStorage = <A, E>(
  o: Parameters<typeof settingsFrom>[0],
  body: (settings: ServerSettings) => Effect.Effect<A, E, UsersRepo | MessagesRepo>
) =>
  Effect.flatMap(settingsFrom(o), (settings) =>
    Effect.provide(body(settings), storageLayer(settings)))

const username = Args.text({ name: "user" }).pipe(Args.withDescription("username (case-insensitive)"))

const accountName = (raw: string) => {
  const name = normalizeUsername(raw)
  return isValidUsername(name)
    ? Effect.succeed(name)
    : Effect.fail(new CliError({ message: `invalid username "${raw}": 1-32 letters or digits` }))
}

const setLevel = (raw: string, level: number) =>
  Effect.gen(function*() {
    const name = yield* accountName(raw)
    const users = yield* UsersRepo
    const found = yield* users.setPermission(name, level)
    if (!found) return yield* new CliError({ message: `no user "${name}"` })
    yield* Console.log(`${name} is now ${permissionName(level)} (${level})`)
    yield* Console.log("note: if the user is logged in, the new level applies from their next login")
  })

const setownerCommand = Command.make(
  "setowner",
  { ...dbOptions, user: username },
  (o) => withStorage(o, () => setLevel(o.user, 2))
).pipe(Command.withDescription("make a user OWNER (level 2)"))

const setpermsCommand = Command.make(
  "setperms",
  {
    ...dbOptions,
    user: username,
    level: Args.integer({ name: "level" }).pipe(Args.withDescription("0 USER, 1 ADMIN, 2 OWNER"))
  },
  (o) =>
    isPermission(o.level)
      ? withStorage(o, () => setLevel(o.user, o.level))
      : new CliError({ message: `invalid level ${o.level}: expected 0 (USER), 1 (ADMIN) or 2 (OWNER)` })
).pipe(Command.withDescription("set a user's permission level"))

const usersCommand = Command.make("users", dbOptions, (o) =>
  withStorage(o, () =>
    Effect.gen(function*() {
      const users = yield* UsersRepo
      const all = yield* users.listAll()
      const width = Math.max(8, ...all.map((u) => u.username.length))
      yield* Console.log(`${"USERNAME".padEnd(width)}  LEVEL      DEREGISTERED`)
      for (const u of all) {
        const level = `${u.permission} ${permissionName(u.permission)}`
        yield* Console.log(`${u.username.padEnd(width)}  ${level.padEnd(9)}  ${u.deregistered ? "yes" : "no"}`)
      }
      yield* Console.log(`${all.length} account(s)`)
    }))).pipe(Command.withDescription("list every account with its level and deregistered flag"))

const clearcacheCommand = Command.make("clearcache", { ...dbOptions, user: username }, (o) =>
  withStorage(o, () =>
    Effect.gen(function*() {
      const name = yield* accountName(o.user)
      const users = yield* UsersRepo
      const messages = yield* MessagesRepo
      const user = yield* users.findByName(name)
      if (Option.isNone(user)) return yield* new CliError({ message: `no user "${name}"` })
      const n = yield* messages.clearFor(user.value.id)
      yield* Console.log(`deleted ${n} stored message(s) for ${name}`)
    }))).pipe(Command.withDescription("delete every stored offline message addressed to a user"))

const migrateCommand = Command.make("migrate", dbOptions, (o) =>
  Effect.flatMap(settingsFrom(o), (settings) =>
    Effect.gen(function*() {
      const applied = yield* migrate
      if (applied.length === 0) yield* Console.log(`${describeDatabase(settings.database)}: schema is up to date`)
      for (const [id, name] of applied) yield* Console.log(`applied migration ${id} ${name}`)
    }).pipe(Effect.provide(databaseLayer(settings.database))))).pipe(
    Command.withDescription("apply pending database migrations (serve also does this at start)")
  )

const configCheckCommand = Command.make(
  "check",
  { ...serveOptions, file: Args.text({ name: "file" }).pipe(Args.withDescription("server.json to validate")) },
  (o) =>
    Effect.gen(function*() {
      const settings = yield* settingsFrom({ ...o, config: Option.some(o.file) })
      yield* Console.log(JSON.stringify(describeSettings(settings), null, 2))
      yield* Console.log(`${o.file}: OK`)
    })
).pipe(Command.withDescription("validate a config file and print the effective configuration"))

const configCommand = Command.make("config").pipe(
  Command.withDescription("configuration tools"),
  Command.withSubcommands([configCheckCommand])
)

const gencertCommand = Command.make(
  "gencert",
  {
    out: Options.text("out").pipe(Options.withDescription("output directory"), Options.withDefault("certs")),
    name: Options.text("name").pipe(Options.withDescription("host name in the certificate"), Options.withDefault("localhost")),
    days: Options.integer("days").pipe(Options.withDescription("validity in days"), Options.withDefault(365))
  },
  (o) =>
    Effect.gen(function*() {
      const dir = path.resolve(o.out)
      const certFile = path.join(dir, "gochat.pem")
      const keyFile = path.join(dir, "gochat.key")
      yield* Effect.try({
        try: () => {
          fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
          execFileSync("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
            "-keyout", keyFile, "-out", certFile, "-days", String(o.days),
            "-subj", `/CN=${o.name}`,
            "-addext", `subjectAltName=DNS:${o.name},DNS:localhost,IP:127.0.0.1`
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
).pipe(Command.withDescription("create a self-signed TLS certificate and key (local testing only) with openssl"))

export const command = Command.make("gochat-server", serveOptions, serveHandler).pipe(
  Command.withDescription("gochat v1 server. Without a command it serves (same as `serve`)."),
  Command.withSubcommands([
    serveCommand,
    setownerCommand,
    setpermsCommand,
    usersCommand,
    clearcacheCommand,
    migrateCommand,
    configCommand,
    gencertCommand
  ])
)

const cli = Command.run(command, { name: "gochat-server", version: versionWithCommit(VERSION) })

/** Runs the CLI; expected failures become one line on stderr and exit code 1. */
export const run = (argv: ReadonlyArray<string>) =>
  cli(argv).pipe(
    Effect.catchAll((error) => {
      const tag = (error as { _tag?: string })._tag
      // @effect/cli already printed its own validation message (with usage)
      if (tag === "ValidationError" || tag === "HelpRequested") {
        return Effect.sync(() => {
          process.exitCode = 1
        })
      }
      const message = (error as { message?: string }).message || String(error)
      return Effect.sync(() => {
        process.stderr.write(`error: ${message.split("\n")[0]}\n`)
        process.exitCode = 1
      })
    })
  )
