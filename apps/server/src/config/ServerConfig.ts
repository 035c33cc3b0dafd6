/**
 * The effective server configuration. Each setting is one entry of `SETTINGS` below; a value is taken from,
 * in this order: a typed `startServer` option, the command-line flag, the environment variable, the config
 * file, the built-in default. A bad value fails with one line naming where it came from and what is expected
 * (see Setting.ts), whichever of those places it was given in.
 *
 * Adding a setting:
 *   1. one entry in SETTINGS: its server.json key, optionally a flag and a variable, its value type
 *      (Setting.ts: `integer`, `positive`, `port`, `boolean`, `oneOf`, `nonEmpty`, `refine`, ...), the default
 *      as help shows it and one line of doc. The flag, the variable, the file key, the `--help` line and the
 *      source-naming errors all come from that entry; an unknown file key is rejected by the same table.
 *   2. a field in `ServerSettings`, filled in `resolveConfig` with `v("<id>", <default>)`.
 *   3. a line in docs/IMPLEMENTATION.md's configuration table.
 */
import * as path from "node:path"
import { Context, Data, Effect, Either, Option, Redacted } from "effect"
import {
  HANDSHAKE_TIMEOUT_MS,
  LOGIN_TIMEOUT_MS,
  MAX_ARG_CONTENT,
  READ_TIMEOUT_MS,
  TOKEN_EXPIRATION_MS
} from "@gochat/protocol"
import {
  boolean,
  describePlaces,
  describeSource,
  type Given,
  integer,
  nonEmpty,
  nonNegative,
  oneOf,
  pick,
  port,
  positive,
  refine,
  type Setting,
  type Source,
  text,
  type ValueType
} from "./Setting.js"
import { type ConfigFile, discoverConfigFile as discover, readConfigFile as read } from "./ConfigFile.js"
import {
  DEFAULT_KEY_BITS,
  envName,
  KEY_BITS_MAX,
  KEY_BITS_MIN,
  keyBitsProblem,
  LIMIT_NAMES,
  type LimitName,
  LIMITS,
  type LimitValues,
  parseKeyBits
} from "./Limits.js"

export type { ConfigFile } from "./ConfigFile.js"

export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

export const LOG_LEVELS = ["ALL", "DEBUG", "INFO", "WARNING", "ERROR", "FATAL", "NONE"] as const
export type LogLevelName = (typeof LOG_LEVELS)[number]
export const LOG_FORMATS = ["text", "json"] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

export const DEFAULT_PORT = 9037
export const DEFAULT_TLS_PORT = 8037
export const DEFAULT_DATA_DIR = "data"
export const DEFAULT_MOTD = "Welcome to the server!"
export const DEFAULT_LEASE_MS = 3000
export const DEFAULT_FORWARD_TIMEOUT_MS = 5000

const isRedisUrl = (s: string): boolean => {
  if (!/^rediss?:\/\//.test(s)) return false
  try {
    return new URL(s).hostname.length > 0
  } catch {
    return false
  }
}

const setting = <A>(s: Setting<A>): Setting<A> => s
const ms = positive("milliseconds")

const keyBitsType: ValueType<ReadonlyArray<number>> = {
  expected: `RSA modulus sizes, multiples of 8 from ${KEY_BITS_MIN} to ${KEY_BITS_MAX} (e.g. 4096 or 2048,4096)`,
  placeholder: "<bits,...>",
  fromText: (t) => {
    const sizes = parseKeyBits(t)
    return typeof sizes === "string" || keyBitsProblem(sizes) !== undefined ? Option.none() : Option.some(sizes)
  },
  fromJson: (u) =>
    Array.isArray(u) && u.every((n) => typeof n === "number") && keyBitsProblem(u as Array<number>) === undefined
      ? Option.some(u as Array<number>)
      : Option.none()
}

/** The abuse limits of Limits.ts, each a setting under server.limits with its flag and GOCHAT_ variable. */
const limitSettings = Object.fromEntries(LIMIT_NAMES.map((name) => {
  const l = LIMITS[name]
  return [name, setting({
    key: `server.limits.${l.key}`,
    flag: l.flag,
    env: envName(l.flag),
    type: integer(l.min, l.max, `an integer from ${l.min} to ${l.max} (${l.unit})`),
    shownDefault: String(l.default),
    doc: l.doc
  })]
})) as { readonly [K in LimitName]: Setting<number> }

/** Every setting, in the order `--help` lists them. */
export const SETTINGS = {
  address: setting({ key: "server.address", flag: "address", env: "GOCHAT_ADDRESS", type: nonEmpty("listen address"), shownDefault: "0.0.0.0", doc: "address both listeners bind" }),
  port: setting({ key: "server.port", flag: "port", env: "GOCHAT_PORT", type: port, shownDefault: String(DEFAULT_PORT), doc: "plain TCP port (0 picks a free one and prints it)" }),
  tlsEnabled: setting({ key: "server.tls.enabled", type: boolean, shownDefault: "false", doc: "TLS listener on (a --tls-port flag or GOCHAT_TLS_PORT also turns it on)" }),
  tlsPort: setting({ key: "server.tls.port", flag: "tls-port", env: "GOCHAT_TLS_PORT", type: port, shownDefault: String(DEFAULT_TLS_PORT), doc: "TLS port; given as a flag or variable it turns TLS on" }),
  tlsCert: setting({ key: "server.tls.cert_file", flag: "tls-cert", env: "GOCHAT_TLS_CERT", type: nonEmpty("path to a PEM certificate", "<file>"), doc: "TLS certificate PEM file (required with TLS)" }),
  tlsKey: setting({ key: "server.tls.key_file", flag: "tls-key", env: "GOCHAT_TLS_KEY", type: nonEmpty("path to a PEM private key", "<file>"), doc: "TLS private key PEM file (required with TLS)" }),
  db: setting({ key: "database.url", flag: "db", env: "GOCHAT_DB", type: nonEmpty("sqlite:<path> or mysql://user:pass@host:port/db", "<url>"), shownDefault: "sqlite:<data-dir>/gochat.db", doc: "database: sqlite:<path> or mysql://user:pass@host:port/db" }),
  dataDir: setting({ key: "server.data_dir", flag: "data-dir", env: "GOCHAT_DATA_DIR", type: nonEmpty("directory", "<dir>"), shownDefault: `./${DEFAULT_DATA_DIR}`, doc: "directory of the embedded SQLite database" }),
  dbAddress: setting({ key: "database.address", type: nonEmpty("database host"), doc: "MariaDB host (the original's keys; database.url or --db take precedence)" }),
  dbPort: setting({ key: "database.port", type: port, shownDefault: "3306", doc: "MariaDB port" }),
  dbUser: setting({ key: "database.user", type: text, doc: "MariaDB user (required with database.address)" }),
  dbPassword: setting({ key: "database.password", env: "GOCHAT_DB_PASSWORD", type: text, shownDefault: "empty", doc: "MariaDB password (no flag: a command line is visible to every local user)" }),
  dbName: setting({ key: "database.db_name", type: nonEmpty("database name"), doc: "MariaDB database (required with database.address)" }),
  dbEnableLogs: setting({ key: "database.enable_logs", type: boolean, shownDefault: "false", doc: "accepted in the original's files and ignored" }),
  dbLogFile: setting({ key: "database.log_file", type: text, doc: "accepted in the original's files and ignored (database errors go to the server log)" }),
  maxClients: setting({ key: "server.max_clients", flag: "max-clients", env: "GOCHAT_MAX_CLIENTS", type: positive("connections"), shownDefault: "1000", doc: "connections served at once; later ones wait in a FIFO queue" }),
  maxWaiting: setting({ key: "server.max_waiting", flag: "max-waiting", env: "GOCHAT_MAX_WAITING", type: nonNegative("connections"), shownDefault: "1024", doc: "connections waiting for a free slot; more are refused" }),
  maxOutboundBytes: setting({ key: "server.max_outbound_bytes", flag: "max-outbound-bytes", env: "GOCHAT_MAX_OUTBOUND_BYTES", type: positive("bytes"), shownDefault: "4194304", doc: "bytes queued for a slow reader before it is disconnected" }),
  keyBits: setting({ key: "server.key_bits", flag: "key-bits", env: "GOCHAT_KEY_BITS", type: keyBitsType, shownDefault: DEFAULT_KEY_BITS.join(","), doc: "RSA modulus sizes REG accepts, separated by commas (the exponent must be 65537)" }),
  motd: setting({
    key: "server.default_motd", flag: "motd", env: "GOCHAT_MOTD",
    type: refine(text, `at most ${MAX_ARG_CONTENT} bytes of UTF-8 without CRLF`, (s) => Buffer.byteLength(s, "utf8") <= MAX_ARG_CONTENT && !s.includes("\r\n")),
    shownDefault: JSON.stringify(DEFAULT_MOTD), doc: "message of the day until an owner sets one"
  }),
  logLevel: setting({ key: "server.logs.level", flag: "log-level", env: "GOCHAT_LOG_LEVEL", type: oneOf(LOG_LEVELS, "<level>"), shownDefault: "INFO", doc: "least severe level logged: ALL, DEBUG, INFO, WARNING, ERROR, FATAL or NONE" }),
  logFile: setting({ key: "server.logs.log_file", flag: "log-file", env: "GOCHAT_LOG_FILE", type: { ...text, placeholder: "<file>" }, shownDefault: "stdout", doc: "append logs to this file (mode 0600; empty: stdout)" }),
  logFormat: setting({ key: "server.logs.format", flag: "log-format", env: "GOCHAT_LOG_FORMAT", type: oneOf(LOG_FORMATS), shownDefault: "text", doc: "text (readable lines) or json (one object a line, for log collectors)" }),
  idleMs: setting({ key: "server.timeouts.idle_ms", type: ms, shownDefault: String(READ_TIMEOUT_MS), doc: "no packet for this long: ERR_IDLE and close" }),
  loginMs: setting({ key: "server.timeouts.login_ms", type: ms, shownDefault: String(LOGIN_TIMEOUT_MS), doc: "a LOGIN challenge stays answerable this long" }),
  handshakeMs: setting({ key: "server.timeouts.handshake_ms", type: ms, shownDefault: String(HANDSHAKE_TIMEOUT_MS), doc: "TLS handshake deadline" }),
  headerMs: setting({ key: "server.timeouts.header_ms", type: ms, shownDefault: "60000", doc: "a started frame must be complete within this long" }),
  writeMs: setting({ key: "server.timeouts.write_ms", type: ms, shownDefault: "30000", doc: "outbound data stuck this long disconnects the client" }),
  tokenMs: setting({ key: "server.timeouts.token_ms", type: ms, shownDefault: String(TOKEN_EXPIRATION_MS), doc: "a reusable token lives this long after its session" }),
  redis: setting({
    key: "cluster.redis_url", flag: "redis", env: "GOCHAT_REDIS_URL",
    type: refine(nonEmpty("redis://[user:pass@]host:port[/db] or rediss://... URL", "<url>"), "a redis://[user:pass@]host:port[/db] or rediss://... URL", isRedisUrl),
    doc: "run as one instance of a clustered service over this Redis (needs a MariaDB database; see docs/SCALING.md)"
  }),
  leaseMs: setting({ key: "cluster.lease_ms", type: integer(500, 600_000, "an integer from 500 to 600000 (milliseconds)"), shownDefault: String(DEFAULT_LEASE_MS), doc: "an instance that stops renewing its presence for this long is dead: its users may log in elsewhere" }),
  forwardTimeoutMs: setting({ key: "cluster.forward_timeout_ms", type: integer(100, 600_000, "an integer from 100 to 600000 (milliseconds)"), shownDefault: String(DEFAULT_FORWARD_TIMEOUT_MS), doc: "a MSG forwarded to another instance and not answered within this long is ERR_SERVER (neither OK nor stored)" }),
  shutdownFlushMs: setting({ key: "server.timeouts.shutdown_flush_ms", type: ms, shownDefault: "5000", doc: "at shutdown, wait this long for outbound queues to drain" }),
  ...limitSettings
} as const

export type SettingId = keyof typeof SETTINGS

const FILE_KEYS: ReadonlySet<string> = new Set(Object.values(SETTINGS).map((s) => s.key))

/** Reads a server.json; a key that is no setting's is an error. */
export const readConfigFile = (file: string): Either.Either<ConfigFile, string> => read(file, FILE_KEYS)

/** `config.json` in `dir`, when it exists and is a gochat server configuration (else a note why not). */
export const discoverConfigFile = (dir: string) => discover(dir, FILE_KEYS)
type ValueOf<K extends SettingId> = (typeof SETTINGS)[K] extends Setting<infer A> ? A : never

export type DatabaseSettings =
  | { readonly kind: "sqlite"; readonly filename: string }
  | {
    readonly kind: "mysql"
    readonly host: string
    readonly port: number
    readonly user: string
    readonly password: Redacted.Redacted<string>
    readonly database: string
  }

export interface TlsSettings {
  readonly port: number
  readonly certFile: string
  readonly keyFile: string
}

export interface Timeouts {
  /** No packet received for this long: ERR_IDLE and close (reset by every packet, KEEP included). */
  readonly idleMs: number
  /** A LOGIN challenge stays answerable this long. */
  readonly loginMs: number
  /** TLS handshake deadline. */
  readonly handshakeMs: number
  /** A started frame must be complete within this long. */
  readonly headerMs: number
  /** Outbound data that cannot be written for this long disconnects the client. */
  readonly writeMs: number
  /** A reusable token lives this long after the session that created it ends. */
  readonly tokenMs: number
  /** At shutdown, how long to wait for outbound queues to drain. */
  readonly shutdownFlushMs: number
}

/** Clustering: this process is one instance of a service whose presence and deliveries go through Redis. */
export interface ClusterSettings {
  readonly redisUrl: Redacted.Redacted<string>
  /** presence lease: an instance that has not renewed it for this long is taken for dead */
  readonly leaseMs: number
  /** a forwarded MSG not answered within this long is ERR_SERVER */
  readonly forwardTimeoutMs: number
}

export interface ServerSettings {
  readonly address: string
  readonly port: number
  readonly maxClients: number
  readonly maxWaiting: number
  readonly maxOutboundBytes: number
  /** RSA modulus sizes REG accepts (the exponent must always be 65537) */
  readonly keyBits: ReadonlyArray<number>
  /** the abuse limits (`Limits.ts`) */
  readonly limits: LimitValues
  readonly tls: TlsSettings | undefined
  readonly database: DatabaseSettings
  /** set when this server is one instance of a clustered service (docs/SCALING.md) */
  readonly cluster: ClusterSettings | undefined
  readonly dataDir: string
  readonly logLevel: LogLevelName
  readonly logFile: string | undefined
  readonly logFormat: LogFormat
  readonly defaultMotd: string
  readonly timeouts: Timeouts
}

export class ServerConfig extends Context.Tag("server/ServerConfig")<ServerConfig, ServerSettings>() {}

/** Typed settings given by a program (startServer); each one overrides flags, variables and the file. */
export type ConfigOverrides =
  & { readonly [K in Exclude<SettingId, keyof Timeouts | LimitName>]?: ValueOf<K> | undefined }
  & { readonly timeouts?: Partial<Timeouts> | undefined; readonly limits?: Partial<LimitValues> | undefined }

/** Where values come from, highest precedence first: overrides, flags, environment, file. */
export interface ConfigSources {
  readonly overrides?: ConfigOverrides
  /** Raw text of the command-line flags given, by setting id. */
  readonly flags?: { readonly [K in SettingId]?: string | undefined }
  /** The environment (the CLI passes process.env; startServer none). */
  readonly env?: NodeJS.ProcessEnv
  readonly file?: ConfigFile | undefined
}

/** Parses `sqlite:<path>` or `mysql://user:pass@host:port/db` (also `mariadb://`); `where` names the source. */
export const parseDatabaseUrl = (url: string, where: string): Either.Either<DatabaseSettings, string> => {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return file.length > 0
      ? Either.right({ kind: "sqlite", filename: path.resolve(file) })
      : Either.left(`${where}: expected sqlite:<path> with a non-empty path`)
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Either.left(`${where}: expected mysql://user:pass@host:port/db, got an unparsable URL`)
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
    if (!parsed.hostname || !database) {
      return Either.left(`${where}: expected mysql://user:pass@host:port/db (host and database are required)`)
    }
    return Either.right({
      kind: "mysql",
      host: parsed.hostname.replace(/^\[|\]$/g, ""),
      port: parsed.port ? Number(parsed.port) : 3306,
      user: decodeURIComponent(parsed.username),
      password: Redacted.make(decodeURIComponent(parsed.password)),
      database
    })
  }
  return Either.left(`${where}: expected sqlite:<path> or mysql://user:pass@host:port/db, got ${JSON.stringify(url)}`)
}

class Invalid extends Data.TaggedError("Invalid")<{ readonly message: string }> {}

/** Combines every source into the effective settings, or one line saying what is wrong and where. */
export const resolveConfig = (sources: ConfigSources = {}): Either.Either<ServerSettings, string> => {
  const overrides: Record<string, unknown> = { ...sources.overrides, ...sources.overrides?.timeouts, ...sources.overrides?.limits }
  const flags: Record<string, string | undefined> = sources.flags ?? {}
  const env = sources.env ?? {}
  const file = sources.file

  const given = (id: SettingId): Array<Given | undefined> => {
    const s: Setting<unknown> = SETTINGS[id]
    const envText = s.env === undefined ? undefined : env[s.env]
    return [
      overrides[id] === undefined ? undefined : { raw: overrides[id], source: { _tag: "Option", name: id }, isText: false },
      s.flag === undefined || flags[id] === undefined ? undefined : { raw: flags[id], source: { _tag: "Flag", flag: s.flag }, isText: true },
      s.env === undefined || envText === undefined || envText === "" ? undefined : { raw: envText, source: { _tag: "Env", env: s.env }, isText: true },
      file === undefined || !file.values.has(s.key) ? undefined : { raw: file.values.get(s.key), source: { _tag: "File", file: file.path, key: s.key }, isText: false }
    ]
  }
  const sourceOf: Partial<Record<SettingId, Source>> = {}
  /** The setting's value; a bad one throws Invalid (caught below). */
  const v = <K extends SettingId>(id: K, fallback: ValueOf<K>): ValueOf<K> => {
    const picked = pick(SETTINGS[id] as Setting<ValueOf<K>>, given(id), fallback)
    if (Either.isLeft(picked)) throw new Invalid({ message: picked.left })
    if (picked.right.source) sourceOf[id] = picked.right.source
    return picked.right.value
  }
  const optional = <K extends SettingId>(id: K): ValueOf<K> | undefined => v(id, undefined as ValueOf<K>)
  const required = (id: SettingId, when: string): never => {
    throw new Invalid({ message: `${when}: set ${describePlaces(SETTINGS[id])}` })
  }

  try {
    const dataDir = path.resolve(v("dataDir", DEFAULT_DATA_DIR))

    const tlsPort = v("tlsPort", DEFAULT_TLS_PORT)
    const tlsPortSource = sourceOf.tlsPort?._tag
    const enabled = v("tlsEnabled", false)
    const tlsOn = enabled || tlsPortSource === "Flag" || tlsPortSource === "Env" || tlsPortSource === "Option"
    let tls: TlsSettings | undefined
    if (tlsOn) {
      const by = describeSource((enabled ? sourceOf.tlsEnabled : sourceOf.tlsPort)!)
      const certFile = optional("tlsCert") ?? required("tlsCert", `TLS is on (${by}) but has no certificate`)
      const keyFile = optional("tlsKey") ?? required("tlsKey", `TLS is on (${by}) but has no private key`)
      tls = { port: tlsPort, certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }
    }

    const url = optional("db")
    let database: DatabaseSettings
    if (url !== undefined) {
      database = Either.getOrThrowWith(parseDatabaseUrl(url, describeSource(sourceOf.db!)), (message) => new Invalid({ message }))
    } else {
      const host = optional("dbAddress")
      if (host !== undefined) {
        const when = `database.address is set (${describeSource(sourceOf.dbAddress!)})`
        database = {
          kind: "mysql",
          host,
          port: v("dbPort", 3306),
          user: optional("dbUser") ?? required("dbUser", when),
          password: Redacted.make(v("dbPassword", "")),
          database: optional("dbName") ?? required("dbName", when)
        }
      } else {
        database = { kind: "sqlite", filename: path.join(dataDir, "gochat.db") }
      }
    }
    const redisUrl = optional("redis")
    let cluster: ClusterSettings | undefined
    if (redisUrl !== undefined) {
      if (database.kind === "sqlite") {
        throw new Invalid({
          message: `clustering is on (${describeSource(sourceOf.redis!)}) but the database is SQLite, which one machine's instances alone could share: set a MariaDB database (${describePlaces(SETTINGS.db)})`
        })
      }
      cluster = { redisUrl: Redacted.make(redisUrl), leaseMs: v("leaseMs", DEFAULT_LEASE_MS), forwardTimeoutMs: v("forwardTimeoutMs", DEFAULT_FORWARD_TIMEOUT_MS) }
    } else {
      v("leaseMs", DEFAULT_LEASE_MS)
      v("forwardTimeoutMs", DEFAULT_FORWARD_TIMEOUT_MS)
    }
    v("dbEnableLogs", false)
    v("dbLogFile", "")

    const logFile = v("logFile", "")
    return Either.right({
      address: v("address", "0.0.0.0"),
      port: v("port", DEFAULT_PORT),
      maxClients: v("maxClients", 1000),
      maxWaiting: v("maxWaiting", 1024),
      maxOutboundBytes: v("maxOutboundBytes", 4 * 1024 * 1024),
      keyBits: v("keyBits", DEFAULT_KEY_BITS),
      limits: Object.fromEntries(LIMIT_NAMES.map((name) => [name, v(name, LIMITS[name].default)])) as unknown as LimitValues,
      tls,
      database,
      cluster,
      dataDir,
      logLevel: v("logLevel", "INFO"),
      logFile: logFile === "" ? undefined : path.resolve(logFile),
      logFormat: v("logFormat", "text"),
      defaultMotd: v("motd", DEFAULT_MOTD),
      timeouts: {
        idleMs: v("idleMs", READ_TIMEOUT_MS),
        loginMs: v("loginMs", LOGIN_TIMEOUT_MS),
        handshakeMs: v("handshakeMs", HANDSHAKE_TIMEOUT_MS),
        headerMs: v("headerMs", 60_000),
        writeMs: v("writeMs", 30_000),
        tokenMs: v("tokenMs", TOKEN_EXPIRATION_MS),
        shutdownFlushMs: v("shutdownFlushMs", 5_000)
      }
    })
  } catch (e) {
    if (e instanceof Invalid) return Either.left(e.message)
    throw e
  }
}

export interface LoadedConfig {
  readonly settings: ServerSettings
  /** The config file read, if any. */
  readonly file: string | undefined
  /** One-line notes for the start-up output (a config.json in the working directory that was skipped). */
  readonly notes: ReadonlyArray<string>
}

/**
 * Loads the effective settings for the command line: the config file given (`--config`, GOCHAT_CONFIG), else
 * `config.json` in the working directory when it is a gochat server configuration (as the original does),
 * then flags and environment variables over it.
 */
export const loadConfig = (
  configPath: string | undefined,
  flags: ConfigSources["flags"] = {},
  env: NodeJS.ProcessEnv = process.env
): Effect.Effect<LoadedConfig, ConfigError> =>
  Effect.suspend(() => {
    const explicit = configPath ?? (env.GOCHAT_CONFIG ? env.GOCHAT_CONFIG : undefined)
    const found = explicit === undefined
      ? discoverConfigFile(process.cwd())
      : Either.map(readConfigFile(explicit), (file) => ({ file, notes: [] }))
    const loaded = Either.flatMap(found, ({ file, notes }) =>
      Either.map(resolveConfig({ flags, env, file }), (settings) => ({ settings, file: file?.path, notes })))
    return Either.match(loaded, {
      onLeft: (message) => Effect.fail(new ConfigError({ message })),
      onRight: Effect.succeed
    })
  })

/** A printable view of the settings (the password redacted). */
export const describeSettings = (s: ServerSettings): Record<string, unknown> => ({
  ...s,
  database: s.database.kind === "sqlite"
    ? { kind: "sqlite", filename: s.database.filename }
    : { ...s.database, password: "<redacted>" },
  cluster: s.cluster === undefined ? undefined : { ...s.cluster, redisUrl: describeRedis(s.cluster.redisUrl) }
})

/** The Redis URL without its password. */
export const describeRedis = (url: Redacted.Redacted<string>): string => {
  const u = new URL(Redacted.value(url))
  if (u.password !== "") u.password = "redacted"
  return u.toString()
}

export const describeDatabase = (d: DatabaseSettings): string =>
  d.kind === "sqlite" ? `sqlite:${d.filename}` : `mysql://${d.user}@${d.host}:${d.port}/${d.database}`
