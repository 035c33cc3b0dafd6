/**
 * Typed messages, one per action and direction, as Effect Schemas (plain tagged structs: cheap to
 * build, structurally comparable, with Arbitraries for property tests).
 *
 * A packet is decoded once, at the edge: `decodeClientMessage` on the server, `decodeServerMessage`
 * on the client. Both are table-driven plain functions (the relay path runs them); the Schemas
 * `ClientPacket` / `ServerPacket` wrap the very same codecs for Schema-based code and tests.
 * Failures carry the ERR code the original would reply with.
 *
 * Encodings that differ by field: timestamps are Go varints (see stamp.ts); permissions are one
 * raw byte in REQ, HOOK and ADMIN_CHGPERMS but ASCII decimal in USRS lists; public keys are PEM
 * text, opaque here (the crypto library parses them).
 */
import { Either, ParseResult, Schema } from "effect"
import {
  Action,
  AdminOp,
  EMPTY_INFO,
  ErrorCode,
  HookType,
  MAX_ARG_CONTENT,
  MAX_ID,
  actionName,
  adminArgs,
  adminName,
  hookArgs,
  hookName,
  isAdminOp,
  isHookType,
  isPermission,
  isUsrsType
} from "./constants.js"
import type { Packet } from "./packet.js"
import { ProtocolError, protocolError } from "./packet.js"
import { MAX_STAMP_SECONDS, StampDate, dateToStamp, stampToDate } from "./stamp.js"

// ---------------------------------------------------------------------------------------------
// Field schemas

/** A UTF-16 surrogate without its pair: such strings do not survive UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

const utf8Length = (s: string): number => Buffer.byteLength(s, "utf8")

/** Text of one argument: well-formed UTF-8 of at most 2045 bytes without CRLF. */
export const ArgText = Schema.String.pipe(
  Schema.filter((s) =>
    s.includes("\r\n")
      ? "an argument can not contain CRLF"
      : LONE_SURROGATE.test(s)
        ? "text must be well-formed Unicode"
        : utf8Length(s) > MAX_ARG_CONTENT
          ? `at most ${MAX_ARG_CONTENT} bytes of UTF-8`
          : true
  ),
  Schema.annotations({
    identifier: "ArgText",
    arbitrary: () => (fc) => fc.string({ unit: "grapheme", maxLength: 60 }).filter((s) => !s.includes("\r\n"))
  })
)

/**
 * A username as it travels. Not checked against USERNAME_REGEX here: whether a name is acceptable
 * is the receiver's decision (REG answers ERR_ARGS, LOGIN ERR_NOTFOUND ...). See `Username`.
 */
export const UsernameText = ArgText.annotations({
  identifier: "UsernameText",
  arbitrary: () => (fc) => fc.stringMatching(/^[0-9a-z]{1,32}$/)
})

/** A valid username: 1 to 32 lowercase letters or digits. */
export const Username = Schema.String.pipe(
  Schema.pattern(/^[0-9a-z]{1,32}$/, { message: () => "usernames are 1 to 32 lowercase letters or digits" }),
  Schema.annotations({ identifier: "Username" })
)

/** A PEM public key as text (armour and base64 lines separated by LF). */
export const PemText = ArgText.annotations({
  identifier: "PemText",
  arbitrary: () => (fc) =>
    fc
      .base64String({ minLength: 4, maxLength: 200 })
      .map((b64) => `-----BEGIN RSA PUBLIC KEY-----\n${b64.match(/.{1,64}/g)?.join("\n") ?? ""}\n-----END RSA PUBLIC KEY-----\n`)
})

/** Raw bytes of a last binary argument (may contain CRLF). */
export const Binary = Schema.Uint8ArrayFromSelf.pipe(
  Schema.filter((b) => b.length <= MAX_ARG_CONTENT || `at most ${MAX_ARG_CONTENT} bytes`),
  Schema.annotations({ identifier: "Binary", arbitrary: () => (fc) => fc.uint8Array({ maxLength: 600 }) })
)

export const PermissionLevel = Schema.Literal(0, 1, 2).annotations({ identifier: "Permission" })
export const UsrsKind = Schema.Literal(0, 1, 2, 3).annotations({ identifier: "UsrsType" })
export const HookKind = Schema.Literal(0, 1, 2, 3, 4).annotations({ identifier: "HookType" })
/** Any byte but 0xFF (the client rejects ERR with Info 0xFF). */
export const ErrorCodeValue = Schema.Int.pipe(Schema.between(0, 0xfe), Schema.annotations({ identifier: "ErrorCode" }))
export const PacketId = Schema.Int.pipe(Schema.between(0, MAX_ID), Schema.annotations({ identifier: "PacketId" }))

// ---------------------------------------------------------------------------------------------
// Client → server

export const Reg = Schema.TaggedStruct("Reg", { username: UsernameText, publicKey: PemText })
export type Reg = typeof Reg.Type
export const Dereg = Schema.TaggedStruct("Dereg", {})
export type Dereg = typeof Dereg.Type
export const Login = Schema.TaggedStruct("Login", { username: UsernameText, token: Schema.optional(ArgText) })
export type Login = typeof Login.Type
export const Logout = Schema.TaggedStruct("Logout", {})
export type Logout = typeof Logout.Type
/** VERIF client→server: the decrypted challenge. */
export const VerifAnswer = Schema.TaggedStruct("VerifAnswer", { username: UsernameText, answer: ArgText })
export type VerifAnswer = typeof VerifAnswer.Type
/** REQ client→server. */
export const ReqUser = Schema.TaggedStruct("ReqUser", { username: UsernameText })
export type ReqUser = typeof ReqUser.Type
export const Usrs = Schema.TaggedStruct("Usrs", { kind: UsrsKind })
export type Usrs = typeof Usrs.Type
export const Msg = Schema.TaggedStruct("Msg", { dest: UsernameText, stamp: StampDate, ciphertext: Binary })
export type Msg = typeof Msg.Type
/** RECIV client→server: ask for the messages kept while offline. */
export const RecivRequest = Schema.TaggedStruct("RecivRequest", {})
export type RecivRequest = typeof RecivRequest.Type
export const Keep = Schema.TaggedStruct("Keep", {})
export type Keep = typeof Keep.Type
export const Sub = Schema.TaggedStruct("Sub", { hook: HookKind })
export type Sub = typeof Sub.Type
export const Unsub = Schema.TaggedStruct("Unsub", { hook: HookKind })
export type Unsub = typeof Unsub.Type
export const AdminShutdown = Schema.TaggedStruct("AdminShutdown", { stamp: StampDate })
export type AdminShutdown = typeof AdminShutdown.Type
export const AdminDereg = Schema.TaggedStruct("AdminDereg", { username: UsernameText })
export type AdminDereg = typeof AdminDereg.Type
export const AdminBroadcast = Schema.TaggedStruct("AdminBroadcast", { text: ArgText })
export type AdminBroadcast = typeof AdminBroadcast.Type
export const AdminChgPerms = Schema.TaggedStruct("AdminChgPerms", { username: UsernameText, level: PermissionLevel })
export type AdminChgPerms = typeof AdminChgPerms.Type
export const AdminKick = Schema.TaggedStruct("AdminKick", { username: UsernameText })
export type AdminKick = typeof AdminKick.Type
export const AdminMotd = Schema.TaggedStruct("AdminMotd", { motd: ArgText })
export type AdminMotd = typeof AdminMotd.Type

export const ClientMessage = Schema.Union(
  Reg,
  Dereg,
  Login,
  Logout,
  VerifAnswer,
  ReqUser,
  Usrs,
  Msg,
  RecivRequest,
  Keep,
  Sub,
  Unsub,
  AdminShutdown,
  AdminDereg,
  AdminBroadcast,
  AdminChgPerms,
  AdminKick,
  AdminMotd
)
export type ClientMessage = typeof ClientMessage.Type
export type AdminMessage = AdminShutdown | AdminDereg | AdminBroadcast | AdminChgPerms | AdminKick | AdminMotd

// ---------------------------------------------------------------------------------------------
// Server → client

export const Ok = Schema.TaggedStruct("Ok", {})
export type Ok = typeof Ok.Type
export const Err = Schema.TaggedStruct("Err", { code: ErrorCodeValue })
export type Err = typeof Err.Type
export const Hello = Schema.TaggedStruct("Hello", { motd: ArgText })
export type Hello = typeof Hello.Type
/** VERIF server→client: the encrypted challenge. */
export const VerifChallenge = Schema.TaggedStruct("VerifChallenge", { ciphertext: Binary })
export type VerifChallenge = typeof VerifChallenge.Type
/** REQ server→client. */
export const ReqReply = Schema.TaggedStruct("ReqReply", {
  username: UsernameText,
  publicKey: PemText,
  permission: PermissionLevel
})
export type ReqReply = typeof ReqReply.Type

export const UsrsEntry = Schema.Struct({
  name: UsernameText,
  permission: Schema.NonNegativeInt.annotations({ arbitrary: () => (fc) => fc.integer({ min: 0, max: 300 }) })
})
export type UsrsEntry = typeof UsrsEntry.Type

/** Names joined by LF; with permissions each line is `name perm` (perm in ASCII decimal). */
export const usrsListText = (users: ReadonlyArray<string> | ReadonlyArray<UsrsEntry>): string => {
  let text = ""
  for (let i = 0; i < users.length; i++) {
    const u = users[i]
    if (i > 0) text += "\n"
    text += typeof u === "string" ? u : `${u.name} ${u.permission}`
  }
  return text
}

/**
 * USRS server→client. `users` holds names, or entries with permissions for the *PERMS kinds
 * (the reply's Info is 0xFF, so the shape is read from the text). `raw` is the list text as
 * received; encoding uses `users`.
 */
export const UsrsReply = Schema.TaggedStruct("UsrsReply", {
  users: Schema.Union(Schema.Array(UsernameText), Schema.Array(UsrsEntry)),
  raw: Schema.String
}).annotations({
  identifier: "UsrsReply",
  arbitrary: () => (fc) =>
    fc
      .oneof(
        fc.array(fc.stringMatching(/^[0-9a-z]{1,32}$/), { maxLength: 8 }),
        fc.array(
          fc.record({ name: fc.stringMatching(/^[0-9a-z]{1,32}$/), permission: fc.integer({ min: 0, max: 300 }) }),
          { minLength: 1, maxLength: 8 }
        )
      )
      .map((users): UsrsReply => ({ _tag: "UsrsReply", users, raw: usrsListText(users) }))
})
export type UsrsReply = typeof UsrsReply.Type

/** Builds a UsrsReply, computing `raw`. */
export const makeUsrsReply = (users: ReadonlyArray<string> | ReadonlyArray<UsrsEntry>): UsrsReply => ({
  _tag: "UsrsReply",
  users,
  raw: usrsListText(users)
})

/**
 * RECIV server→client. `stampBytes` is the stamp argument exactly as it travels (the server relays
 * it verbatim); encoding writes `stampBytes`, so build values with `makeReciv` to keep both in step.
 */
export const Reciv = Schema.TaggedStruct("Reciv", {
  sender: UsernameText,
  stamp: StampDate,
  stampBytes: Schema.Uint8ArrayFromSelf,
  ciphertext: Binary
}).annotations({
  identifier: "Reciv",
  arbitrary: () => (fc) =>
    fc
      .record({
        sender: fc.stringMatching(/^[0-9a-z]{1,32}$/),
        seconds: fc.integer({ min: -MAX_STAMP_SECONDS, max: MAX_STAMP_SECONDS }),
        ciphertext: fc.uint8Array({ maxLength: 600 })
      })
      .map(({ ciphertext, seconds, sender }) => makeReciv(sender, new Date(seconds * 1000), ciphertext))
})
export type Reciv = typeof Reciv.Type

/** Builds a Reciv with the canonical stamp bytes of `stamp`. */
export const makeReciv = (sender: string, stamp: Date, ciphertext: Uint8Array): Reciv => ({
  _tag: "Reciv",
  sender,
  stamp,
  stampBytes: dateToStamp(stamp),
  ciphertext
})

export const Shtdwn = Schema.TaggedStruct("Shtdwn", { stamp: StampDate })
export type Shtdwn = typeof Shtdwn.Type
export const HookNewLogin = Schema.TaggedStruct("HookNewLogin", { username: UsernameText, permission: PermissionLevel })
export type HookNewLogin = typeof HookNewLogin.Type
export const HookNewLogout = Schema.TaggedStruct("HookNewLogout", { username: UsernameText })
export type HookNewLogout = typeof HookNewLogout.Type
/** The IP address (no port) of a login attempt for a user already online here. */
export const HookDupSess = Schema.TaggedStruct("HookDupSess", { ip: ArgText })
export type HookDupSess = typeof HookDupSess.Type
export const HookPermsChg = Schema.TaggedStruct("HookPermsChg", { username: UsernameText, permission: PermissionLevel })
export type HookPermsChg = typeof HookPermsChg.Type

export const ServerMessage = Schema.Union(
  Ok,
  Err,
  Hello,
  VerifChallenge,
  ReqReply,
  UsrsReply,
  Reciv,
  Shtdwn,
  HookNewLogin,
  HookNewLogout,
  HookDupSess,
  HookPermsChg
)
export type ServerMessage = typeof ServerMessage.Type
export type HookMessage = HookNewLogin | HookNewLogout | HookDupSess | HookPermsChg

// ---------------------------------------------------------------------------------------------
// Argument codecs

const textDecoder = new TextDecoder("utf-8")

/** UTF-8 text of an argument (invalid sequences become U+FFFD, as Go strings print them). */
export const argText = (bytes: Uint8Array): string => {
  const n = bytes.length
  if (n <= 32) {
    // usernames and other short ASCII: building the string directly beats a TextDecoder call
    let s = ""
    for (let i = 0; i < n; i++) {
      const b = bytes[i]
      if (b >= 0x80) return textDecoder.decode(bytes)
      s += String.fromCharCode(b)
    }
    return s
  }
  return textDecoder.decode(bytes)
}

/** UTF-8 bytes of a text argument. */
export const textArg = (s: string): Uint8Array => Buffer.from(s, "utf8")

const NO_ARGS: ReadonlyArray<Uint8Array> = Object.freeze([]) as ReadonlyArray<Uint8Array>

const needArgs = (p: Packet, n: number, what: string): ProtocolError | undefined =>
  p.args.length < n ? protocolError(ErrorCode.ARGS, `${what} needs ${n} arguments, got ${p.args.length}`) : undefined

const stampOf = (arg: Uint8Array, what: string): Date | ProtocolError =>
  stampToDate(arg) ?? protocolError(ErrorCode.ARGS, `${what}: the stamp is not a Go varint Unix time`)

const permissionOf = (arg: Uint8Array, what: string): 0 | 1 | 2 | ProtocolError => {
  if (arg.length === 0) return protocolError(ErrorCode.ARGS, `${what}: empty permission`)
  const level = arg[0]
  return isPermission(level) ? level : protocolError(ErrorCode.ARGS, `${what}: unknown permission level ${level}`)
}

const permissionArg = (level: number): Uint8Array => Uint8Array.of(level)

// ---------------------------------------------------------------------------------------------
// Client → server codec

type Decoder<M> = (p: Packet) => M | ProtocolError

const notFromClient: Decoder<never> = (p) =>
  protocolError(ErrorCode.INVALID, `${actionName(p.action)} is only sent by servers`)

const decodeAdmin: Decoder<AdminMessage> = (p) => {
  const op = p.info
  if (!isAdminOp(op)) return protocolError(ErrorCode.INVALID, `unknown ADMIN operation ${op}`)
  const name = adminName(op)
  const short = needArgs(p, adminArgs(op), name)
  if (short) return short
  const a = p.args
  switch (op) {
    case AdminOp.SHTDWN: {
      const stamp = stampOf(a[0], name)
      return stamp instanceof ProtocolError ? stamp : { _tag: "AdminShutdown", stamp }
    }
    case AdminOp.DEREG:
      return { _tag: "AdminDereg", username: argText(a[0]) }
    case AdminOp.BRDCAST:
      return { _tag: "AdminBroadcast", text: argText(a[0]) }
    case AdminOp.CHGPERMS: {
      const level = permissionOf(a[1], name)
      return level instanceof ProtocolError ? level : { _tag: "AdminChgPerms", username: argText(a[0]), level }
    }
    case AdminOp.KICK:
      return { _tag: "AdminKick", username: argText(a[0]) }
    case AdminOp.MOTD:
      return { _tag: "AdminMotd", motd: argText(a[0]) }
  }
}

const hookInfo = (p: Packet): HookType | ProtocolError =>
  isHookType(p.info) ? p.info : protocolError(ErrorCode.OPTION, `unknown hook ${p.info}`)

const clientDecoders: Array<Decoder<ClientMessage>> = new Array(256).fill(notFromClient)
clientDecoders[Action.KEEP] = () => ({ _tag: "Keep" })
clientDecoders[Action.REG] = (p) =>
  needArgs(p, 2, "REG") ?? { _tag: "Reg", username: argText(p.args[0]), publicKey: argText(p.args[1]) }
clientDecoders[Action.DEREG] = () => ({ _tag: "Dereg" })
clientDecoders[Action.LOGIN] = (p) =>
  needArgs(p, 1, "LOGIN") ??
  (p.args.length > 1
    ? { _tag: "Login", username: argText(p.args[0]), token: argText(p.args[1]) }
    : { _tag: "Login", username: argText(p.args[0]) })
clientDecoders[Action.LOGOUT] = () => ({ _tag: "Logout" })
clientDecoders[Action.VERIF] = (p) =>
  needArgs(p, 2, "VERIF") ?? { _tag: "VerifAnswer", username: argText(p.args[0]), answer: argText(p.args[1]) }
clientDecoders[Action.REQ] = (p) => needArgs(p, 1, "REQ") ?? { _tag: "ReqUser", username: argText(p.args[0]) }
clientDecoders[Action.USRS] = (p) =>
  isUsrsType(p.info) ? { _tag: "Usrs", kind: p.info } : protocolError(ErrorCode.OPTION, `unknown USRS list type ${p.info}`)
clientDecoders[Action.MSG] = (p) => {
  const short = needArgs(p, 3, "MSG")
  if (short) return short
  const stamp = stampOf(p.args[1], "MSG")
  if (stamp instanceof ProtocolError) return stamp
  return { _tag: "Msg", dest: argText(p.args[0]), stamp, ciphertext: p.args[2] }
}
clientDecoders[Action.RECIV] = () => ({ _tag: "RecivRequest" })
clientDecoders[Action.SUB] = (p) => {
  const hook = hookInfo(p)
  return hook instanceof ProtocolError ? hook : { _tag: "Sub", hook }
}
clientDecoders[Action.UNSUB] = (p) => {
  const hook = hookInfo(p)
  return hook instanceof ProtocolError ? hook : { _tag: "Unsub", hook }
}
clientDecoders[Action.ADMIN] = decodeAdmin

/**
 * The typed message of a client packet (the ID stays on the packet). Errors carry the code the
 * original would reply with, with the request's ID: ERR_ARGS (missing argument, bad stamp, bad
 * permission byte), ERR_OPTION (unknown USRS list or hook), ERR_INVALID (unknown ADMIN operation,
 * or an action only servers send — the original answers ERR_NOSESS to those when not logged in,
 * so run the session gate on `p.action` first; likewise ADMIN from a USER is ERR_PERMS first).
 */
export const decodeClientMessageOrError = (p: Packet): ClientMessage | ProtocolError =>
  clientDecoders[p.action & 0xff](p)

export const decodeClientMessage = (p: Packet): Either.Either<ClientMessage, ProtocolError> => {
  const m = clientDecoders[p.action & 0xff](p)
  return m instanceof ProtocolError ? Either.left(m) : Either.right(m)
}

const packet = (action: number, info: number, id: number, args: ReadonlyArray<Uint8Array>): Packet => ({
  action,
  info,
  id,
  args
})

/** The packet of a client message. Limits are checked when it is encoded to bytes. */
export const encodeClientMessage = (m: ClientMessage, id: number): Packet => {
  switch (m._tag) {
    case "Reg":
      return packet(Action.REG, EMPTY_INFO, id, [textArg(m.username), textArg(m.publicKey)])
    case "Dereg":
      return packet(Action.DEREG, EMPTY_INFO, id, NO_ARGS)
    case "Login":
      return packet(
        Action.LOGIN,
        EMPTY_INFO,
        id,
        m.token === undefined ? [textArg(m.username)] : [textArg(m.username), textArg(m.token)]
      )
    case "Logout":
      return packet(Action.LOGOUT, EMPTY_INFO, id, NO_ARGS)
    case "VerifAnswer":
      return packet(Action.VERIF, EMPTY_INFO, id, [textArg(m.username), textArg(m.answer)])
    case "ReqUser":
      return packet(Action.REQ, EMPTY_INFO, id, [textArg(m.username)])
    case "Usrs":
      return packet(Action.USRS, m.kind, id, NO_ARGS)
    case "Msg":
      return packet(Action.MSG, EMPTY_INFO, id, [textArg(m.dest), dateToStamp(m.stamp), m.ciphertext])
    case "RecivRequest":
      return packet(Action.RECIV, EMPTY_INFO, id, NO_ARGS)
    case "Keep":
      return packet(Action.KEEP, EMPTY_INFO, id, NO_ARGS)
    case "Sub":
      return packet(Action.SUB, m.hook, id, NO_ARGS)
    case "Unsub":
      return packet(Action.UNSUB, m.hook, id, NO_ARGS)
    case "AdminShutdown":
      return packet(Action.ADMIN, AdminOp.SHTDWN, id, [dateToStamp(m.stamp)])
    case "AdminDereg":
      return packet(Action.ADMIN, AdminOp.DEREG, id, [textArg(m.username)])
    case "AdminBroadcast":
      return packet(Action.ADMIN, AdminOp.BRDCAST, id, [textArg(m.text)])
    case "AdminChgPerms":
      return packet(Action.ADMIN, AdminOp.CHGPERMS, id, [textArg(m.username), permissionArg(m.level)])
    case "AdminKick":
      return packet(Action.ADMIN, AdminOp.KICK, id, [textArg(m.username)])
    case "AdminMotd":
      return packet(Action.ADMIN, AdminOp.MOTD, id, [textArg(m.motd)])
  }
}

// ---------------------------------------------------------------------------------------------
// Server → client codec

const notFromServer: Decoder<never> = (p) =>
  protocolError(ErrorCode.INVALID, `${actionName(p.action)} is only sent by clients`)

const decodeUsrsList = (raw: string): UsrsReply | ProtocolError => {
  if (raw === "") return { _tag: "UsrsReply", users: [], raw }
  const lines = raw.split("\n")
  if (!raw.includes(" ")) return { _tag: "UsrsReply", users: lines, raw }
  const users: Array<UsrsEntry> = []
  for (const line of lines) {
    const space = line.lastIndexOf(" ")
    const perm = space < 0 ? "" : line.slice(space + 1)
    if (space <= 0 || !/^\d{1,9}$/.test(perm))
      return protocolError(ErrorCode.ARGS, `USRS: line ${JSON.stringify(line)} is not "name permission"`)
    users.push({ name: line.slice(0, space), permission: Number(perm) })
  }
  return { _tag: "UsrsReply", users, raw }
}

const decodeHook: Decoder<HookMessage> = (p) => {
  const hook = p.info
  if (!isHookType(hook) || hook === HookType.ALL) return protocolError(ErrorCode.OPTION, `unknown hook ${hook}`)
  const name = hookName(hook)
  const short = needArgs(p, hookArgs(hook), name)
  if (short) return short
  const a = p.args
  switch (hook) {
    case HookType.NEWLOGIN: {
      const permission = permissionOf(a[1], name)
      return permission instanceof ProtocolError
        ? permission
        : { _tag: "HookNewLogin", username: argText(a[0]), permission }
    }
    case HookType.NEWLOGOUT:
      return { _tag: "HookNewLogout", username: argText(a[0]) }
    case HookType.DUPSESS:
      return { _tag: "HookDupSess", ip: argText(a[0]) }
    case HookType.PERMSCHG: {
      const permission = permissionOf(a[1], name)
      return permission instanceof ProtocolError
        ? permission
        : { _tag: "HookPermsChg", username: argText(a[0]), permission }
    }
  }
}

const serverDecoders: Array<Decoder<ServerMessage>> = new Array(256).fill(notFromServer)
serverDecoders[Action.OK] = () => ({ _tag: "Ok" })
serverDecoders[Action.ERR] = (p) => ({ _tag: "Err", code: p.info })
serverDecoders[Action.HELLO] = (p) => needArgs(p, 1, "HELLO") ?? { _tag: "Hello", motd: argText(p.args[0]) }
serverDecoders[Action.VERIF] = (p) => needArgs(p, 1, "VERIF") ?? { _tag: "VerifChallenge", ciphertext: p.args[0] }
serverDecoders[Action.REQ] = (p) => {
  const short = needArgs(p, 3, "REQ")
  if (short) return short
  const permission = permissionOf(p.args[2], "REQ")
  if (permission instanceof ProtocolError) return permission
  return { _tag: "ReqReply", username: argText(p.args[0]), publicKey: argText(p.args[1]), permission }
}
serverDecoders[Action.USRS] = (p) => needArgs(p, 1, "USRS") ?? decodeUsrsList(argText(p.args[0]))
serverDecoders[Action.RECIV] = (p) => {
  const short = needArgs(p, 3, "RECIV")
  if (short) return short
  const stamp = stampOf(p.args[1], "RECIV")
  if (stamp instanceof ProtocolError) return stamp
  return { _tag: "Reciv", sender: argText(p.args[0]), stamp, stampBytes: p.args[1], ciphertext: p.args[2] }
}
serverDecoders[Action.SHTDWN] = (p) => {
  const short = needArgs(p, 1, "SHTDWN")
  if (short) return short
  const stamp = stampOf(p.args[0], "SHTDWN")
  return stamp instanceof ProtocolError ? stamp : { _tag: "Shtdwn", stamp }
}
serverDecoders[Action.HOOK] = decodeHook

/** The typed message of a server packet; failures carry the ERR code that describes them. */
export const decodeServerMessageOrError = (p: Packet): ServerMessage | ProtocolError =>
  serverDecoders[p.action & 0xff](p)

export const decodeServerMessage = (p: Packet): Either.Either<ServerMessage, ProtocolError> => {
  const m = serverDecoders[p.action & 0xff](p)
  return m instanceof ProtocolError ? Either.left(m) : Either.right(m)
}

/**
 * The packet of a server message. Replies echo the request's ID; HELLO, RECIV, HOOK and SHTDWN
 * pushed by the server use the Null ID (0).
 */
export const encodeServerMessage = (m: ServerMessage, id: number): Packet => {
  switch (m._tag) {
    case "Ok":
      return packet(Action.OK, EMPTY_INFO, id, NO_ARGS)
    case "Err":
      return packet(Action.ERR, m.code, id, NO_ARGS)
    case "Hello":
      return packet(Action.HELLO, EMPTY_INFO, id, [textArg(m.motd)])
    case "VerifChallenge":
      return packet(Action.VERIF, EMPTY_INFO, id, [m.ciphertext])
    case "ReqReply":
      return packet(Action.REQ, EMPTY_INFO, id, [textArg(m.username), textArg(m.publicKey), permissionArg(m.permission)])
    case "UsrsReply":
      return packet(Action.USRS, EMPTY_INFO, id, [textArg(usrsListText(m.users))])
    case "Reciv":
      return packet(Action.RECIV, EMPTY_INFO, id, [textArg(m.sender), m.stampBytes, m.ciphertext])
    case "Shtdwn":
      return packet(Action.SHTDWN, EMPTY_INFO, id, [dateToStamp(m.stamp)])
    case "HookNewLogin":
      return packet(Action.HOOK, HookType.NEWLOGIN, id, [textArg(m.username), permissionArg(m.permission)])
    case "HookNewLogout":
      return packet(Action.HOOK, HookType.NEWLOGOUT, id, [textArg(m.username)])
    case "HookDupSess":
      return packet(Action.HOOK, HookType.DUPSESS, id, [textArg(m.ip)])
    case "HookPermsChg":
      return packet(Action.HOOK, HookType.PERMSCHG, id, [textArg(m.username), permissionArg(m.permission)])
  }
}

/** An ERR reply. */
export const errPacket = (code: number, id: number): Packet => packet(Action.ERR, code, id, NO_ARGS)
/** An OK reply. */
export const okPacket = (id: number): Packet => packet(Action.OK, EMPTY_INFO, id, NO_ARGS)

// ---------------------------------------------------------------------------------------------
// Packet ↔ message Schemas

/** A raw packet as a Schema value. */
export const PacketSchema = Schema.Struct({
  action: Schema.Int.pipe(Schema.between(0, 0xff)),
  info: Schema.Int.pipe(Schema.between(0, 0xff)),
  id: PacketId,
  args: Schema.Array(Schema.Uint8ArrayFromSelf)
}).annotations({ identifier: "Packet" })

/** A client message with the ID of the packet carrying it. */
export const ClientEnvelope = Schema.Struct({ id: PacketId, message: ClientMessage })
export type ClientEnvelope = typeof ClientEnvelope.Type
/** A server message with the ID of the packet carrying it. */
export const ServerEnvelope = Schema.Struct({ id: PacketId, message: ServerMessage })
export type ServerEnvelope = typeof ServerEnvelope.Type

/** Packet ↔ `{ id, message }` for client→server packets (same codec as `decodeClientMessage`). */
export const ClientPacket = Schema.transformOrFail(PacketSchema, ClientEnvelope, {
  strict: true,
  decode: (p, _, ast) => {
    const m = decodeClientMessageOrError(p)
    return m instanceof ProtocolError
      ? ParseResult.fail(new ParseResult.Type(ast, p, m.message))
      : ParseResult.succeed({ id: p.id, message: m })
  },
  encode: (e) => ParseResult.succeed(encodeClientMessage(e.message, e.id))
}).annotations({ identifier: "ClientPacket" })

/** Packet ↔ `{ id, message }` for server→client packets (same codec as `decodeServerMessage`). */
export const ServerPacket = Schema.transformOrFail(PacketSchema, ServerEnvelope, {
  strict: true,
  decode: (p, _, ast) => {
    const m = decodeServerMessageOrError(p)
    return m instanceof ProtocolError
      ? ParseResult.fail(new ParseResult.Type(ast, p, m.message))
      : ParseResult.succeed({ id: p.id, message: m })
  },
  encode: (e) => ParseResult.succeed(encodeServerMessage(e.message, e.id))
}).annotations({ identifier: "ServerPacket" })

