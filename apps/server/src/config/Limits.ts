/**
 * The abuse limits, as data: one row per limit with its server.json key (under `server.limits`), its flag
 * (`--<flag>`, environment `GOCHAT_<FLAG>`), its default, its bounds and its documentation line. The config
 * file's schema, the flags, the validation and the table in docs/IMPLEMENTATION.md ("Security") all follow
 * this table; each limit is enforced in one place (named in its `where`), and logged once when it
 * triggers (`hubs/Limits.ts`).
 */

export interface LimitSpec {
  /** key in server.json, under `server.limits` */
  readonly key: string
  /** command-line flag (without `--`); the environment variable is GOCHAT_ + the flag in upper snake case */
  readonly flag: string
  readonly default: number
  /** smallest accepted value (0 where 0 means "off") */
  readonly min: number
  readonly max: number
  /** what the number counts, for messages */
  readonly unit: string
  readonly doc: string
}

const spec = (s: LimitSpec): LimitSpec => s

export const LIMITS = {
  maxConnectionsPerAddress: spec({
    key: "max_connections_per_address",
    flag: "max-connections-per-address",
    default: 32,
    min: 1,
    max: 1_000_000,
    unit: "connections",
    doc: "connections one IP address may hold at once, counting waiting ones and unfinished TLS handshakes; more are closed at once"
  }),
  loginDeadlineMs: spec({
    key: "login_deadline_ms",
    flag: "login-deadline-ms",
    default: 120_000,
    min: 1,
    max: 86_400_000,
    unit: "milliseconds",
    doc: "a connection that is not logged in for this long (KEEP does not reset it) gets ERR_IDLE and is closed"
  }),
  maxTlsHandshakes: spec({
    key: "max_tls_handshakes",
    flag: "max-tls-handshakes",
    default: 256,
    min: 1,
    max: 1_000_000,
    unit: "handshakes",
    doc: "TLS handshakes in progress at once (each also has the handshake deadline); more connections are closed at once"
  }),
  msgBurst: spec({
    key: "msg_burst",
    flag: "msg-burst",
    default: 500,
    min: 1,
    max: 100_000_000,
    unit: "messages",
    doc: "MSGs a user may send in a burst (token bucket per user, refilled at msg_per_second); beyond it MSG gets ERR_PACKET"
  }),
  msgPerSecond: spec({
    key: "msg_per_second",
    flag: "msg-per-second",
    default: 50,
    min: 1,
    max: 100_000_000,
    unit: "messages per second",
    doc: "sustained MSG rate per user"
  }),
  offlineBurst: spec({
    key: "offline_burst",
    flag: "offline-burst",
    default: 200,
    min: 1,
    max: 100_000_000,
    unit: "messages",
    doc: "MSGs to offline users (stored) a user may send in a burst (token bucket per user); beyond it ERR_PACKET"
  }),
  offlinePerSecond: spec({
    key: "offline_per_second",
    flag: "offline-per-second",
    default: 10,
    min: 1,
    max: 100_000_000,
    unit: "messages per second",
    doc: "sustained rate of stored MSGs per user"
  }),
  mailboxMaxMessages: spec({
    key: "mailbox_max_messages",
    flag: "mailbox-max-messages",
    default: 5_000,
    min: 1,
    max: 1_000_000_000,
    unit: "messages",
    doc: "stored messages one recipient may have waiting; a MSG that would exceed it gets ERR_PACKET (stored ones are never dropped)"
  }),
  mailboxMaxBytes: spec({
    key: "mailbox_max_bytes",
    flag: "mailbox-max-bytes",
    default: 10 * 1024 * 1024,
    min: 1,
    max: 1_000_000_000_000,
    unit: "bytes",
    doc: "ciphertext bytes one recipient may have waiting; as mailbox_max_messages"
  }),
  messageTtlMs: spec({
    key: "message_ttl_ms",
    flag: "message-ttl-ms",
    default: 0,
    min: 0,
    max: 100 * 365 * 86_400_000,
    unit: "milliseconds",
    doc: "stored messages older than this are deleted in the background (at most 1,000 per pass); 0 keeps them until delivered"
  }),
  regBurst: spec({
    key: "reg_burst",
    flag: "reg-burst",
    default: 10,
    min: 1,
    max: 1_000_000,
    unit: "registrations",
    doc: "REGs one IP address may make in a burst (token bucket per address, refilled at reg_per_minute); beyond it ERR_PACKET"
  }),
  regPerMinute: spec({
    key: "reg_per_minute",
    flag: "reg-per-minute",
    default: 6,
    min: 1,
    max: 1_000_000,
    unit: "registrations per minute",
    doc: "sustained REG rate per IP address"
  }),
  authFailuresPerConnection: spec({
    key: "auth_failures_per_connection",
    flag: "auth-failures-per-connection",
    default: 5,
    min: 1,
    max: 1_000_000,
    unit: "failures",
    doc: "wrong token LOGINs and wrong VERIF answers on one connection before it gets ERR_LOGIN and is closed (tokens are never dropped for guesses)"
  }),
  authFailureBurst: spec({
    key: "auth_failure_burst",
    flag: "auth-failure-burst",
    default: 20,
    min: 1,
    max: 1_000_000,
    unit: "failures",
    doc: "wrong token LOGINs and VERIF answers one IP address may make in a burst (refilled at auth_failures_per_minute); beyond it its LOGINs get ERR_LOGIN"
  }),
  authFailuresPerMinute: spec({
    key: "auth_failures_per_minute",
    flag: "auth-failures-per-minute",
    default: 10,
    min: 1,
    max: 1_000_000,
    unit: "failures per minute",
    doc: "sustained rate of authentication failures per IP address"
  }),
  dupSessHookIntervalMs: spec({
    key: "dupsess_hook_interval_ms",
    flag: "dupsess-hook-interval-ms",
    default: 10_000,
    min: 0,
    max: 86_400_000,
    unit: "milliseconds",
    doc: "at most one HOOK_DUPSESS per session and attempting address in this interval (0: one per attempt, as the original)"
  })
} as const satisfies Record<string, LimitSpec>

export type LimitName = keyof typeof LIMITS
export type LimitValues = { readonly [K in LimitName]: number }

export const LIMIT_NAMES = Object.keys(LIMITS) as ReadonlyArray<LimitName>

/** The RSA modulus sizes REG accepts by default: the protocol's (every real client's key). */
export const DEFAULT_KEY_BITS: ReadonlyArray<number> = [4096]
/** The smallest and largest modulus `key_bits` may list (the canonical SPKI DER must fit the database column). */
export const KEY_BITS_MIN = 2048
export const KEY_BITS_MAX = 8192

export const envName = (flag: string): string => `GOCHAT_${flag.toUpperCase().replace(/-/g, "_")}`

/** `value` checked against a limit's bounds: undefined if good, else the one-line problem. */
export const limitProblem = (name: LimitName, value: number): string | undefined => {
  const s = LIMITS[name]
  return Number.isInteger(value) && value >= s.min && value <= s.max
    ? undefined
    : `expected an integer between ${s.min} and ${s.max} (${s.unit}), got ${value}`
}

/** Parses a `key_bits` flag value: sizes separated by commas. */
export const parseKeyBits = (text: string): Array<number> | string => {
  const parts = text.split(",").map((p) => p.trim()).filter((p) => p.length > 0)
  const sizes = parts.map(Number)
  return parts.length > 0 && sizes.every((n) => Number.isInteger(n))
    ? sizes
    : `expected RSA modulus sizes separated by commas (e.g. 4096 or 2048,4096), got "${text}"`
}

export const keyBitsProblem = (sizes: ReadonlyArray<number>): string | undefined =>
  sizes.length > 0 && sizes.every((n) => Number.isInteger(n) && n >= KEY_BITS_MIN && n <= KEY_BITS_MAX && n % 8 === 0)
    ? undefined
    : `expected a non-empty list of RSA modulus sizes, multiples of 8 between ${KEY_BITS_MIN} and ${KEY_BITS_MAX}`
