/**
 * The server.json file: the original's keys (database.*, server.address/port/max_clients, server.tls.*,
 * server.logs.*, server.default_motd) plus our own (database.url, server.data_dir, server.max_waiting,
 * server.timeouts.*, server.max_outbound_bytes, server.key_bits, server.limits.* from the table in
 * Limits.ts). Every key is optional; unknown keys are
 * rejected so a typo is an error rather than a silently ignored setting.
 */
import { Either, ParseResult, Schema } from "effect"
import { KEY_BITS_MAX, KEY_BITS_MIN, LIMITS, type LimitName } from "./Limits.js"

const Port = Schema.Int.pipe(Schema.between(0, 65535)).annotations({
  message: () => ({ message: "expected an integer port between 0 and 65535", override: true })
})
const PositiveInt = (what: string) =>
  Schema.Int.pipe(Schema.positive()).annotations({ message: () => ({ message: `expected a positive integer (${what})`, override: true }) })
const NonEmpty = (what: string) =>
  Schema.String.pipe(Schema.minLength(1)).annotations({ message: () => ({ message: `expected a non-empty string (${what})`, override: true }) })
const Str = Schema.String.annotations({ message: () => ({ message: "expected a string", override: true }) })
const Bool = Schema.Boolean.annotations({ message: () => ({ message: "expected true or false", override: true }) })

export const LOG_LEVELS = ["ALL", "DEBUG", "INFO", "WARNING", "ERROR", "FATAL", "NONE"] as const
export const LogLevelName = Schema.transform(
  Schema.String,
  Schema.Literal(...LOG_LEVELS),
  { strict: false, decode: (s) => s.toUpperCase(), encode: (s) => s }
).annotations({ message: () => ({ message: `expected one of ${LOG_LEVELS.join(", ")} (case-insensitive)`, override: true }) })
export type LogLevelName = (typeof LOG_LEVELS)[number]

const DatabaseSection = Schema.Struct({
  url: Schema.optional(NonEmpty("sqlite:<path> or mysql://user:pass@host:port/db")),
  address: Schema.optional(NonEmpty("database host")),
  port: Schema.optional(Port),
  user: Schema.optional(Str),
  password: Schema.optional(Str),
  db_name: Schema.optional(NonEmpty("database name")),
  enable_logs: Schema.optional(Bool),
  log_file: Schema.optional(Str)
})

const TlsSection = Schema.Struct({
  enabled: Schema.optional(Bool),
  port: Schema.optional(Port),
  cert_file: Schema.optional(NonEmpty("path to a PEM certificate")),
  key_file: Schema.optional(NonEmpty("path to a PEM private key"))
})

const LogsSection = Schema.Struct({
  level: Schema.optional(LogLevelName),
  log_file: Schema.optional(Str)
})

const TimeoutsSection = Schema.Struct({
  idle_ms: Schema.optional(PositiveInt("milliseconds")),
  login_ms: Schema.optional(PositiveInt("milliseconds")),
  handshake_ms: Schema.optional(PositiveInt("milliseconds")),
  header_ms: Schema.optional(PositiveInt("milliseconds")),
  write_ms: Schema.optional(PositiveInt("milliseconds")),
  token_ms: Schema.optional(PositiveInt("milliseconds")),
  shutdown_flush_ms: Schema.optional(PositiveInt("milliseconds"))
})

/** `server.limits`: one optional integer per row of `LIMITS`, within its bounds. */
const LimitsSection = Schema.Struct(Object.fromEntries(
  (Object.keys(LIMITS) as Array<LimitName>).map((name) => {
    const s = LIMITS[name]
    return [s.key, Schema.optional(Schema.Int.pipe(Schema.between(s.min, s.max)).annotations({
      message: () => ({ message: `expected an integer between ${s.min} and ${s.max} (${s.unit})`, override: true })
    }))]
  })
) as { readonly [key: string]: Schema.optional<typeof Schema.Int> })

const KeyBits = Schema.NonEmptyArray(Schema.Int.pipe(Schema.between(KEY_BITS_MIN, KEY_BITS_MAX), Schema.multipleOf(8))).annotations({
  message: () => ({
    message: `expected a non-empty list of RSA modulus sizes, multiples of 8 between ${KEY_BITS_MIN} and ${KEY_BITS_MAX}`,
    override: true
  })
})

const ServerSection = Schema.Struct({
  address: Schema.optional(NonEmpty("listen address")),
  port: Schema.optional(Port),
  max_clients: Schema.optional(PositiveInt("connections")),
  max_waiting: Schema.optional(Schema.Int.pipe(Schema.nonNegative()).annotations({
    message: () => ({ message: "expected an integer >= 0 (waiting connections)", override: true })
  })),
  max_outbound_bytes: Schema.optional(PositiveInt("bytes")),
  key_bits: Schema.optional(KeyBits),
  limits: Schema.optional(LimitsSection),
  data_dir: Schema.optional(NonEmpty("directory")),
  default_motd: Schema.optional(Str),
  tls: Schema.optional(TlsSection),
  logs: Schema.optional(LogsSection),
  timeouts: Schema.optional(TimeoutsSection)
})

export const ConfigFile = Schema.Struct({
  database: Schema.optional(DatabaseSection),
  server: Schema.optional(ServerSection)
})
export type ConfigFile = typeof ConfigFile.Type

/** Decodes parsed JSON into a ConfigFile, or a one-line message naming the key and what it expects. */
export const decodeConfigFile = (json: unknown): Either.Either<ConfigFile, string> =>
  Schema.decodeUnknownEither(ConfigFile, { onExcessProperty: "error", errors: "first" })(json).pipe(
    Either.mapLeft((error) => {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error)
      if (!issue) return "invalid configuration"
      const key = issue.path.map(String).join(".")
      const message = issue._tag === "Unexpected" ? "unknown key" : issue.message
      return key ? `${key}: ${message}` : message
    })
  )
