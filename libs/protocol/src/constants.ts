/**
 * Constants of the gochat v1 wire protocol, as the original implementation uses them
 * (`internal/spec/lookup.go`). Every table here is also written out in docs/SPECIFICATION.md.
 */

/** Protocol version carried in the top 4 bits of every header. */
export const PROTOCOL_VERSION = 1
/** The action code 0 is never valid; unknown codes also decode to it. */
export const NULL_OP = 0
/** ID reserved for server-initiated packets that expect no reply. */
export const NULL_ID = 0
/** Largest packet ID (10 bits). */
export const MAX_ID = 1023
/** Info value meaning "no information". */
export const EMPTY_INFO = 0xff
/** Size of the binary header; it is always followed by CRLF on the wire. */
export const HEADER_SIZE = 8
/** Header + the CRLF that always follows it: the smallest possible frame. */
export const FRAME_OVERHEAD = HEADER_SIZE + 2
/** Most arguments a packet may carry (4 bits). */
export const MAX_ARGS = 15
/** Largest payload length (14 bits): all arguments including their CRLFs. */
export const MAX_PAYLOAD = 16383
/** Largest argument including its trailing CRLF. */
export const MAX_ARG_SIZE = 2047
/** Largest argument content (without its CRLF). */
export const MAX_ARG_CONTENT = MAX_ARG_SIZE - 2
/** Largest complete frame: header, header CRLF and a maximal payload. */
export const MAX_FRAME = FRAME_OVERHEAD + MAX_PAYLOAD
/** Longest username. */
export const USERNAME_MAX = 32
/** RSA modulus size the reference client generates (the server never enforces it). */
export const RSA_BITS = 4096

/** Time a LOGIN challenge stays answerable. */
export const LOGIN_TIMEOUT_MS = 2 * 60_000
/** Read deadline of a server connection. */
export const READ_TIMEOUT_MS = 25 * 60_000
/** Time allowed for the TLS handshake / first exchange. */
export const HANDSHAKE_TIMEOUT_MS = 20_000
/** Lifetime of a reusable login token once its connection is gone. */
export const TOKEN_EXPIRATION_MS = 30 * 60_000

const nameTable = <T extends Record<string, number>>(table: T, prefix: string) => {
  const names = new Map<number, string>()
  for (const [name, code] of Object.entries(table)) names.set(code, prefix + name)
  return names
}

const hex2 = (code: number): string => "0x" + (code >>> 0).toString(16).padStart(2, "0")

// ---------------------------------------------------------------------------------------------
// Actions

/** Action codes (header bits 59-52). */
export const Action = {
  OK: 0x01,
  ERR: 0x02,
  KEEP: 0x03,
  REG: 0x04,
  DEREG: 0x05,
  LOGIN: 0x06,
  LOGOUT: 0x07,
  VERIF: 0x08,
  REQ: 0x09,
  USRS: 0x0a,
  MSG: 0x0b,
  RECIV: 0x0c,
  SHTDWN: 0x0d,
  ADMIN: 0x0e,
  SUB: 0x0f,
  UNSUB: 0x10,
  HOOK: 0x11,
  HELLO: 0x12
} as const
export type Action = (typeof Action)[keyof typeof Action]

const actionNames = nameTable(Action, "")

/** True for the 18 action codes the protocol defines. */
export const isAction = (code: number): code is Action =>
  Number.isInteger(code) && code >= Action.OK && code <= Action.HELLO

/** `"MSG"`, or `"UNKNOWN(0x2a)"` for a code the protocol does not define. */
export const actionName = (code: number): string => actionNames.get(code) ?? `UNKNOWN(${hex2(code)})`

/**
 * Fewest arguments a packet of this action must carry when sent to the server (`ServerArgs`);
 * -1 for actions only the server sends (never rejected on that ground, the hub refuses them).
 */
export const serverMinArgs = (action: number): number => SERVER_ARGS[action] ?? -1
/** Fewest arguments a packet of this action must carry when sent to a client (`ClientArgs`). */
export const clientMinArgs = (action: number): number => CLIENT_ARGS[action] ?? -1

const SERVER_ARGS: ReadonlyArray<number> = (() => {
  const t = new Array<number>(256).fill(-1)
  t[Action.KEEP] = 0
  t[Action.REG] = 2
  t[Action.DEREG] = 0
  t[Action.LOGIN] = 1
  t[Action.LOGOUT] = 0
  t[Action.VERIF] = 2
  t[Action.REQ] = 1
  t[Action.USRS] = 0
  t[Action.MSG] = 3
  t[Action.RECIV] = 0
  t[Action.ADMIN] = 0
  t[Action.SUB] = 0
  t[Action.UNSUB] = 0
  return t
})()

const CLIENT_ARGS: ReadonlyArray<number> = (() => {
  const t = new Array<number>(256).fill(-1)
  t[Action.OK] = 0
  t[Action.ERR] = 0
  t[Action.VERIF] = 1
  t[Action.REQ] = 3
  t[Action.USRS] = 1
  t[Action.RECIV] = 3
  t[Action.SHTDWN] = 0
  t[Action.HOOK] = 0
  t[Action.HELLO] = 1
  return t
})()

// ---------------------------------------------------------------------------------------------
// Errors

/** Error codes, carried in the Info field of ERR packets. */
export const ErrorCode = {
  UNDEFINED: 0x00,
  INVALID: 0x01,
  NOTFOUND: 0x02,
  VERSION: 0x03,
  HANDSHAKE: 0x04,
  ARGS: 0x05,
  MAXSIZE: 0x06,
  HEADER: 0x07,
  NOSESS: 0x08,
  LOGIN: 0x09,
  CONN: 0x0a,
  EMPTY: 0x0b,
  PACKET: 0x0c,
  PERMS: 0x0d,
  SERVER: 0x0e,
  IDLE: 0x0f,
  EXISTS: 0x10,
  DEREG: 0x11,
  DUPSESS: 0x12,
  NOSECURE: 0x13,
  CORRUPTED: 0x14,
  OPTION: 0x15,
  DISCN: 0x16
} as const
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const errorNames = nameTable(ErrorCode, "ERR_")

/** The original's `Error()` text for each code, spelling included. */
const errorDescriptions: Record<ErrorCode, string> = {
  [ErrorCode.UNDEFINED]: "undefined problem occured",
  [ErrorCode.INVALID]: "invalid operation performed",
  [ErrorCode.NOTFOUND]: "content can not be found",
  [ErrorCode.VERSION]: "server and client versions do not match",
  [ErrorCode.HANDSHAKE]: "handshake process failed",
  [ErrorCode.ARGS]: "invalid arguments given",
  [ErrorCode.MAXSIZE]: "data size is too big",
  [ErrorCode.HEADER]: "invalid header provided",
  [ErrorCode.NOSESS]: "user is not connected",
  [ErrorCode.LOGIN]: "user can not be logged in",
  [ErrorCode.CONN]: "connection problem occured",
  [ErrorCode.EMPTY]: "queried data is empty",
  [ErrorCode.PACKET]: "packet could not be delivered",
  [ErrorCode.PERMS]: "missing privileges to run",
  [ErrorCode.SERVER]: "server operation failed",
  [ErrorCode.IDLE]: "user has been idle for too long",
  [ErrorCode.EXISTS]: "content already exists",
  [ErrorCode.DEREG]: "user has been deleted",
  [ErrorCode.DUPSESS]: "session exists in another endpoint",
  [ErrorCode.NOSECURE]: "secured connection required",
  [ErrorCode.CORRUPTED]: "queried data is currupted",
  [ErrorCode.OPTION]: "invalid option provided",
  [ErrorCode.DISCN]: "connection was manually closed"
}

/** True for the 23 error codes the protocol defines. */
export const isErrorCode = (code: number): code is ErrorCode => errorNames.has(code)

/** `"ERR_NOTFOUND"`, or `"ERR_UNKNOWN(0x2a)"`. */
export const errorName = (code: number): string => errorNames.get(code) ?? `ERR_UNKNOWN(${hex2(code)})`

/** The original's description text, e.g. `"content can not be found"`. */
export const errorDescription = (code: number): string =>
  isErrorCode(code) ? errorDescriptions[code] : `unknown error code ${hex2(code)}`

// ---------------------------------------------------------------------------------------------
// Info enumerations

/** USRS list kinds (Info of a client USRS). */
export const UsrsType = { ALL: 0, ONLINE: 1, ALLPERMS: 2, ONLINEPERMS: 3 } as const
export type UsrsType = (typeof UsrsType)[keyof typeof UsrsType]
const usrsNames = nameTable(UsrsType, "USRS_")
export const isUsrsType = (code: number): code is UsrsType => usrsNames.has(code)
export const usrsName = (code: number): string => usrsNames.get(code) ?? `USRS_UNKNOWN(${hex2(code)})`
/** True when the list kind carries permissions (`"name perm"` lines). */
export const usrsWithPerms = (kind: UsrsType): boolean => kind === UsrsType.ALLPERMS || kind === UsrsType.ONLINEPERMS

/** ADMIN operations (Info of a client ADMIN). */
export const AdminOp = { SHTDWN: 0, DEREG: 1, BRDCAST: 2, CHGPERMS: 3, KICK: 4, MOTD: 5 } as const
export type AdminOp = (typeof AdminOp)[keyof typeof AdminOp]
const adminNames = nameTable(AdminOp, "ADMIN_")
const ADMIN_ARGS: Record<AdminOp, number> = {
  [AdminOp.SHTDWN]: 1,
  [AdminOp.DEREG]: 1,
  [AdminOp.BRDCAST]: 1,
  [AdminOp.CHGPERMS]: 2,
  [AdminOp.KICK]: 1,
  [AdminOp.MOTD]: 1
}
export const isAdminOp = (code: number): code is AdminOp => adminNames.has(code)
export const adminName = (code: number): string => adminNames.get(code) ?? `ADMIN_UNKNOWN(${hex2(code)})`
/** Fewest arguments the operation needs (`adminToArgs`); -1 for an unknown operation. */
export const adminArgs = (op: number): number => (isAdminOp(op) ? ADMIN_ARGS[op] : -1)

/** Hooks (Info of SUB / UNSUB / HOOK). `ALL` is only meaningful for SUB and UNSUB. */
export const HookType = { ALL: 0, NEWLOGIN: 1, NEWLOGOUT: 2, DUPSESS: 3, PERMSCHG: 4 } as const
export type HookType = (typeof HookType)[keyof typeof HookType]
const hookNames = nameTable(HookType, "HOOK_")
const HOOK_ARGS: Record<HookType, number> = {
  [HookType.ALL]: 0,
  [HookType.NEWLOGIN]: 2,
  [HookType.NEWLOGOUT]: 1,
  [HookType.DUPSESS]: 1,
  [HookType.PERMSCHG]: 2
}
export const isHookType = (code: number): code is HookType => hookNames.has(code)
export const hookName = (code: number): string => hookNames.get(code) ?? `HOOK_UNKNOWN(${hex2(code)})`
/** Arguments a HOOK packet of this kind carries (`hookToArgs`); -1 for an unknown hook. */
export const hookArgs = (hook: number): number => (isHookType(hook) ? HOOK_ARGS[hook] : -1)

/** Permission levels. */
export const Permission = { USER: 0, ADMIN: 1, OWNER: 2 } as const
export type Permission = (typeof Permission)[keyof typeof Permission]
const permissionNames = nameTable(Permission, "")
export const isPermission = (code: number): code is Permission => permissionNames.has(code)
export const permissionName = (code: number): string => permissionNames.get(code) ?? `UNKNOWN(${code})`

// ---------------------------------------------------------------------------------------------
// Usernames

/**
 * Valid usernames: 1 to 32 lowercase ASCII letters or digits. The original accepted the empty
 * name (`{0,32}`); we reject it.
 */
export const USERNAME_REGEX = /^[0-9a-z]{1,32}$/

/** The canonical form of a username typed by a person (the original never lowercased). */
export const normalizeUsername = (s: string): string => s.toLowerCase()

/** True when `s` is a valid (already normalised) username. */
export const isValidUsername = (s: string): boolean => USERNAME_REGEX.test(s)
