/**
 * The effective server configuration: built-in defaults, overridden by the config file, overridden by
 * command-line flags. `resolveConfig` is pure; `loadConfig` reads the file. A bad value is a `ConfigError`
 * whose message is one line naming the key and what is expected.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Context, Data, Effect, Either, Redacted } from "effect"
import {
  HANDSHAKE_TIMEOUT_MS,
  LOGIN_TIMEOUT_MS,
  MAX_ARG_CONTENT,
  READ_TIMEOUT_MS,
  TOKEN_EXPIRATION_MS
} from "@gochat/protocol"
import { decodeConfigFile, type ConfigFile, type LogLevelName, LOG_LEVELS } from "./ConfigFile.js"
import { DEFAULT_KEY_BITS, keyBitsProblem, LIMIT_NAMES, limitProblem, LIMITS, type LimitValues } from "./Limits.js"

export class ConfigError extends Data.TaggedError("ConfigError")<{ readonly message: string }> {}

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
  readonly dataDir: string
  readonly logLevel: LogLevelName
  readonly logFile: string | undefined
  readonly defaultMotd: string
  readonly timeouts: Timeouts
}

export class ServerConfig extends Context.Tag("server/ServerConfig")<ServerConfig, ServerSettings>() {}

/** Flags given on the command line; each one overrides the file. */
export interface ConfigOverrides {
  readonly port?: number | undefined
  readonly address?: string | undefined
  readonly db?: string | undefined
  readonly logLevel?: string | undefined
  readonly logFile?: string | undefined
  readonly dataDir?: string | undefined
  readonly maxClients?: number | undefined
  readonly maxWaiting?: number | undefined
  readonly maxOutboundBytes?: number | undefined
  readonly keyBits?: ReadonlyArray<number> | undefined
  readonly limits?: Partial<LimitValues> | undefined
  readonly tlsPort?: number | undefined
  readonly tlsCert?: string | undefined
  readonly tlsKey?: string | undefined
  readonly motd?: string | undefined
  readonly timeouts?: Partial<Timeouts> | undefined
}

export const DEFAULT_PORT = 9037
export const DEFAULT_TLS_PORT = 8037
export const DEFAULT_DATA_DIR = "data"
export const DEFAULT_MOTD = "Welcome to the server!"

/** Parses `sqlite:<path>` or `mysql://user:pass@host:port/db` (also `mariadb://`). */
export const parseDatabaseUrl = (url: string, key: string): Either.Either<DatabaseSettings, string> => {
  if (url.startsWith("sqlite:")) {
    const file = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "")
    return file.length > 0
      ? Either.right({ kind: "sqlite", filename: path.resolve(file) })
      : Either.left(`${key}: expected sqlite:<path> with a non-empty path`)
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return Either.left(`${key}: expected mysql://user:pass@host:port/db, got an unparsable URL`)
    }
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""))
    if (!parsed.hostname || !database) {
      return Either.left(`${key}: expected mysql://user:pass@host:port/db (host and database are required)`)
    }
    const port = parsed.port ? Number(parsed.port) : 3306
    return Either.right({
      kind: "mysql",
      host: parsed.hostname.replace(/^\[|\]$/g, ""),
      port,
      user: decodeURIComponent(parsed.username),
      password: Redacted.make(decodeURIComponent(parsed.password)),
      database
    })
  }
  return Either.left(`${key}: expected sqlite:<path> or mysql://user:pass@host:port/db`)
}

const resolveDatabase = (
  file: ConfigFile,
  overrides: ConfigOverrides,
  dataDir: string
): Either.Either<DatabaseSettings, string> => {
  if (overrides.db !== undefined) return parseDatabaseUrl(overrides.db, "--db")
  const db = file.database
  if (db?.url !== undefined) return parseDatabaseUrl(db.url, "database.url")
  if (db?.address !== undefined) {
    for (const key of ["user", "db_name"] as const) {
      if (db[key] === undefined) return Either.left(`database.${key}: required when database.address is set`)
    }
    return Either.right({
      kind: "mysql",
      host: db.address,
      port: db.port ?? 3306,
      user: db.user!,
      password: Redacted.make(db.password ?? ""),
      database: db.db_name!
    })
  }
  return Either.right({ kind: "sqlite", filename: path.resolve(dataDir, "gochat.db") })
}

/** Combines the decoded file and the flags into the effective settings. */
export const resolveConfig = (
  file: ConfigFile,
  overrides: ConfigOverrides = {},
  baseDir = process.cwd()
): Either.Either<ServerSettings, string> => {
  const server = file.server ?? {}
  const inBase = (p: string) => path.resolve(baseDir, p)
  const dataDir = overrides.dataDir !== undefined
    ? path.resolve(overrides.dataDir)
    : inBase(server.data_dir ?? DEFAULT_DATA_DIR)

  const logLevelRaw = overrides.logLevel ?? server.logs?.level ?? "INFO"
  const logLevel = LOG_LEVELS.find((l) => l === logLevelRaw.toUpperCase())
  if (!logLevel) return Either.left(`--log-level: expected one of ${LOG_LEVELS.join(", ")}, got "${logLevelRaw}"`)

  const port = overrides.port ?? server.port ?? DEFAULT_PORT
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return Either.left(`--port: expected an integer port between 0 and 65535, got ${port}`)
  }
  const maxClients = overrides.maxClients ?? server.max_clients ?? 1000
  if (!Number.isInteger(maxClients) || maxClients < 1) {
    return Either.left(`--max-clients: expected a positive integer, got ${maxClients}`)
  }

  const tlsFile = server.tls
  const tlsWanted = overrides.tlsPort !== undefined || tlsFile?.enabled === true
  let tls: TlsSettings | undefined
  if (tlsWanted) {
    const certFile = overrides.tlsCert ?? tlsFile?.cert_file
    const keyFile = overrides.tlsKey ?? tlsFile?.key_file
    if (certFile === undefined) return Either.left("server.tls.cert_file: required when TLS is enabled")
    if (keyFile === undefined) return Either.left("server.tls.key_file: required when TLS is enabled")
    const tlsPort = overrides.tlsPort ?? tlsFile?.port ?? DEFAULT_TLS_PORT
    if (!Number.isInteger(tlsPort) || tlsPort < 0 || tlsPort > 65535) {
      return Either.left(`--tls-port: expected an integer port between 0 and 65535, got ${tlsPort}`)
    }
    const cert = overrides.tlsCert !== undefined ? path.resolve(certFile) : inBase(certFile)
    const key = overrides.tlsKey !== undefined ? path.resolve(keyFile) : inBase(keyFile)
    tls = { port: tlsPort, certFile: cert, keyFile: key }
  }

  const database = resolveDatabase(file, overrides, dataDir)
  if (Either.isLeft(database)) return Either.left(database.left)

  const defaultMotd = overrides.motd ?? server.default_motd ?? DEFAULT_MOTD
  if (Buffer.byteLength(defaultMotd, "utf8") > MAX_ARG_CONTENT || defaultMotd.includes("\r\n")) {
    return Either.left(`server.default_motd: expected at most ${MAX_ARG_CONTENT} bytes of UTF-8 without CRLF`)
  }

  const keyBits = overrides.keyBits ?? server.key_bits ?? DEFAULT_KEY_BITS
  const keyBitsBad = keyBitsProblem(keyBits)
  if (keyBitsBad !== undefined) return Either.left(`--key-bits: ${keyBitsBad}`)

  const limits: Record<string, number> = {}
  for (const name of LIMIT_NAMES) {
    const spec = LIMITS[name]
    const flagged = overrides.limits?.[name]
    const value = flagged ?? (server.limits?.[spec.key] as number | undefined) ?? spec.default
    const problem = limitProblem(name, value)
    if (problem !== undefined) {
      return Either.left(`${flagged !== undefined ? `--${spec.flag}` : `server.limits.${spec.key}`}: ${problem}`)
    }
    limits[name] = value
  }

  const t = server.timeouts ?? {}
  const o = overrides.timeouts ?? {}
  const logFileRaw = overrides.logFile ?? server.logs?.log_file
  return Either.right({
    address: overrides.address ?? server.address ?? "0.0.0.0",
    port,
    maxClients,
    maxWaiting: overrides.maxWaiting ?? server.max_waiting ?? 1024,
    maxOutboundBytes: overrides.maxOutboundBytes ?? server.max_outbound_bytes ?? 4 * 1024 * 1024,
    keyBits,
    limits: limits as LimitValues,
    tls,
    database: database.right,
    dataDir,
    logLevel,
    logFile: logFileRaw ? (overrides.logFile !== undefined ? path.resolve(logFileRaw) : inBase(logFileRaw)) : undefined,
    defaultMotd,
    timeouts: {
      idleMs: o.idleMs ?? t.idle_ms ?? READ_TIMEOUT_MS,
      loginMs: o.loginMs ?? t.login_ms ?? LOGIN_TIMEOUT_MS,
      handshakeMs: o.handshakeMs ?? t.handshake_ms ?? HANDSHAKE_TIMEOUT_MS,
      headerMs: o.headerMs ?? t.header_ms ?? 60_000,
      writeMs: o.writeMs ?? t.write_ms ?? 30_000,
      tokenMs: o.tokenMs ?? t.token_ms ?? TOKEN_EXPIRATION_MS,
      shutdownFlushMs: o.shutdownFlushMs ?? t.shutdown_flush_ms ?? 5_000
    }
  })
}

/** Reads and decodes a config file (relative paths inside it are relative to the working directory, as in the original). */
export const readConfigFile = (file: string): Either.Either<ConfigFile, string> => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    return Either.left(`${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? String(e)})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return Either.left(`${file}: not valid JSON (${(e as Error).message})`)
  }
  return Either.mapLeft(decodeConfigFile(json), (m) => `${file}: ${m}`)
}

/** Loads the effective settings from an optional config file plus flags. */
export const loadConfig = (
  configPath: string | undefined,
  overrides: ConfigOverrides = {}
): Effect.Effect<ServerSettings, ConfigError> =>
  Effect.suspend(() => {
    const file = configPath === undefined ? Either.right<ConfigFile>({}) : readConfigFile(configPath)
    const settings = Either.flatMap(file, (f) =>
      resolveConfig(f, overrides, process.cwd()))
    return Either.match(settings, {
      onLeft: (message) => Effect.fail(new ConfigError({ message })),
      onRight: Effect.succeed
    })
  })

/** A printable view of the settings (the password redacted). */
export const describeSettings = (s: ServerSettings): Record<string, unknown> => ({
  ...s,
  database: s.database.kind === "sqlite"
    ? { kind: "sqlite", filename: s.database.filename }
    : { ...s.database, password: "<redacted>" }
})

export const describeDatabase = (d: DatabaseSettings): string =>
  d.kind === "sqlite" ? `sqlite:${d.filename}` : `mysql://${d.user}@${d.host}:${d.port}/${d.database}`
