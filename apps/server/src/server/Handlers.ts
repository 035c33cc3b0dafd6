/**
 * The slow path: every client action that is not relayed synchronously by `Relay`. A packet passes the
 * session gate (on its action code), is decoded once into a typed `ClientMessage`, and its handler replies
 * on the connection. A `Refusal` becomes ERR(code) with the request ID; a database failure (SqlError) or a
 * defect becomes ERR_SERVER here, in one place. The connection stays open in every case.
 */
import { isUtf8 } from "node:buffer"
import { createPublicKey, type KeyObject } from "node:crypto"
import type { SqlError } from "@effect/sql/SqlError"
import {
  Action,
  AdminOp,
  adminArgs,
  type AdminMessage,
  type ClientMessage,
  argText,
  decodeClientMessage,
  decodeStamp,
  encodeStamp,
  ErrorCode,
  HookType,
  isAdminOp,
  isPermission,
  isValidUsername,
  MAX_ARG_CONTENT,
  MAX_STAMP_SECONDS,
  normalizeUsername,
  type Packet,
  Permission,
  ProtocolError,
  UsrsType
} from "@gochat/protocol"
import {
  canonicalPublicKey,
  constantTimeEqual,
  encryptNoCrlf,
  keyBits,
  maxPlaintextFor,
  parsePublicKey,
  publicKeyToPem,
  randomChallenge
} from "@gochat/crypto"
import { Cause, Effect, Either, Option } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
import { Hooks } from "../hubs/Hooks.js"
import { Motd } from "../hubs/Motd.js"
import { type CatchUpSink, OfflineMessages } from "../hubs/OfflineMessages.js"
import { type Endpoint, type OnlineUser, Presence } from "../hubs/Presence.js"
import { Sessions } from "../hubs/Sessions.js"
import { Shutdown } from "../hubs/Shutdown.js"
import { Verifications } from "../hubs/Verifications.js"
import { UserCache } from "../storage/UserCache.js"
import { type UserRow, UsersRepo } from "../storage/UsersRepo.js"
import { type Connection, errFrame, okFrame } from "./Connection.js"
import { ascii, recivFrame, recivFrames, reqFrame, shtdwnFrame, usrsFrame, verifFrame } from "./frames.js"
import { Refusal, refuse } from "./Refusal.js"

/** Largest accepted RSA modulus (the canonical SPKI DER must fit the database column). */
const MAX_KEY_BITS = 8192
/** Most lines a USRS list can hold (each is at least 1 byte plus LF, in 2045 bytes): the query reads no more. */
const USRS_MAX_LINES = Math.floor((MAX_ARG_CONTENT + 1) / 2)
const BROADCAST_PREFIX_BYTES = Buffer.from("ADMINISTRATIVE BROADCAST:\n", "latin1")

const keyFromDer = (der: Uint8Array): KeyObject | undefined => {
  try {
    return createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" })
  } catch {
    return undefined
  }
}

/** The request's username, lowercased; undefined if no account can have it. */
const accountName = (raw: string): string | undefined => {
  const name = normalizeUsername(raw)
  return isValidUsername(name) ? name : undefined
}

const fromProtocol = (e: ProtocolError): Refusal => refuse(e.code, e.message)

export class Handlers extends Effect.Service<Handlers>()("server/Handlers", {
  effect: Effect.gen(function*() {
    const config = yield* ServerConfig
    const users = yield* UsersRepo
    const presence = yield* Presence
    const sessions = yield* Sessions
    const verifications = yield* Verifications
    const hooks = yield* Hooks
    const offline = yield* OfflineMessages
    const userCache = yield* UserCache
    const motd = yield* Motd
    const shutdown = yield* Shutdown

    /** A user by name with a usable key: ERR_NOTFOUND / ERR_DEREG / ERR_CORRUPTED otherwise. */
    const loadUser = (name: string | undefined) =>
      Effect.gen(function*() {
        if (name === undefined) return yield* refuse(ErrorCode.NOTFOUND, "no such user")
        const row = yield* users.findByName(name)
        if (Option.isNone(row)) return yield* refuse(ErrorCode.NOTFOUND, `no user ${name}`)
        const user = row.value
        if (user.pubkey === undefined) {
          userCache.invalidate(name)
          return yield* refuse(ErrorCode.DEREG, `${name} is deregistered`)
        }
        // the parsed key is cached while the stored DER is unchanged (UserCache)
        const key = userCache.keyFor(user.username, user.pubkey) ?? keyFromDer(user.pubkey)
        if (key === undefined || user.permission < 0 || user.permission > 2) {
          userCache.invalidate(name)
          return yield* refuse(ErrorCode.CORRUPTED, `stored data of ${name} is unusable`)
        }
        userCache.put({ id: user.id, username: user.username, der: user.pubkey, key })
        return { row: user, key }
      })

    /** As the original's login gate: a stored user that cannot be used is ERR_LOGIN. */
    const loadForLogin = (name: string | undefined) =>
      Effect.catchIf(
        loadUser(name),
        (e) => e._tag === "SqlError" || e.code === ErrorCode.CORRUPTED,
        (e) => Effect.zipRight(
          e._tag === "SqlError" ? Effect.logError("database error", e.message, e.cause) : Effect.void,
          refuse(ErrorCode.LOGIN, "unusable account")
        )
      )

    const onlineUser = (row: UserRow, key: KeyObject): OnlineUser => ({
      id: row.id,
      name: row.username,
      nameBytes: ascii(row.username),
      permission: row.permission,
      publicKey: key
    })

    const refuseDupSess = (conn: Connection, name: string) =>
      Effect.gen(function*() {
        const holder = presence.find(name)
        if (holder !== undefined && holder !== conn) {
          hooks.dupSess(holder, conn.ip)
          return yield* refuse(ErrorCode.DUPSESS, `${name} is online on another connection`)
        }
      })

    // -------------------------------------------------------------------------------------------
    // Account actions

    const reg = (conn: Connection, id: number, m: Extract<ClientMessage, { _tag: "Reg" }>) =>
      Effect.gen(function*() {
        const name = accountName(m.username)
        if (name === undefined) return yield* refuse(ErrorCode.ARGS, "usernames are 1-32 letters or digits")
        const key = parsePublicKey(m.publicKey, { bits: "any" })
        if (Either.isLeft(key)) return yield* refuse(ErrorCode.ARGS, `bad public key: ${key.left.reason}`)
        const bits = keyBits(key.right)
        if (bits < config.minKeyBits || bits > MAX_KEY_BITS) {
          return yield* refuse(ErrorCode.ARGS, `RSA keys must have ${config.minKeyBits}-${MAX_KEY_BITS} bits, got ${bits}`)
        }
        const result = yield* users.insert(name, canonicalPublicKey(key.right))
        switch (result) {
          case "name-deregistered":
            return yield* refuse(ErrorCode.DEREG, `${name} was deregistered and can not be reused`)
          case "name-taken":
            return yield* refuse(ErrorCode.EXISTS, `${name} is taken`)
          case "key-taken":
            return yield* refuse(ErrorCode.EXISTS, "this public key is already registered")
        }
        yield* Effect.logInfo("registered").pipe(Effect.annotateLogs({ user: name, bits }))
        conn.send(okFrame(id))
      })

    const login = (conn: Connection, id: number, m: Extract<ClientMessage, { _tag: "Login" }>) =>
      Effect.gen(function*() {
        const name = accountName(m.username)
        if (name !== undefined) yield* refuseDupSess(conn, name)
        const { row, key } = yield* loadForLogin(name)
        if (m.token !== undefined) {
          if (!conn.secure) return yield* refuse(ErrorCode.NOSECURE, "token login needs TLS")
          switch (verifications.checkToken(row.username, m.token)) {
            case "not-found":
            case "expired":
              return yield* refuse(ErrorCode.NOTFOUND, "no valid token")
            case "in-use":
              return yield* refuse(ErrorCode.INVALID, "token still bound to its session")
            case "mismatch":
              return yield* refuse(ErrorCode.HANDSHAKE, "wrong token")
          }
          yield* sessions.login(conn, onlineUser(row, key))
          conn.send(okFrame(id))
          return
        }
        const text = randomChallenge()
        const ciphertext = encryptNoCrlf(key, Buffer.from(text, "latin1"))
        if (Either.isLeft(ciphertext)) return yield* refuse(ErrorCode.CORRUPTED, "key too small for a challenge")
        yield* verifications.challenge(conn.id, row.username, text)
        conn.send(verifFrame(id, ciphertext.right))
      })

    const verif = (conn: Connection, id: number, m: Extract<ClientMessage, { _tag: "VerifAnswer" }>) =>
      Effect.gen(function*() {
        const name = accountName(m.username)
        const { row, key } = yield* loadForLogin(name)
        const text = yield* verifications.take(conn.id, row.username)
        if (text === undefined) return yield* refuse(ErrorCode.INVALID, "no pending challenge")
        if (!constantTimeEqual(text, m.answer)) {
          // as the original's Cleanup: a wrong answer also cancels the connection's other challenges
          yield* verifications.cancelConnection(conn.id)
          return yield* refuse(ErrorCode.HANDSHAKE, "wrong answer")
        }
        yield* sessions.login(conn, onlineUser(row, key))
        // (a token bound to a connection that closed meanwhile would stay "in use" for ever)
        if (conn.secure && conn.accepting) verifications.issueToken(row.username, conn.id, text)
        conn.send(okFrame(id))
      })

    const logout = (conn: Connection, id: number) =>
      Effect.gen(function*() {
        yield* sessions.logout(conn)
        conn.send(okFrame(id))
      })

    const dereg = (conn: Connection, id: number, user: OnlineUser) =>
      Effect.gen(function*() {
        yield* users.deregister(user.id)
        userCache.invalidate(user.name)
        yield* sessions.logout(conn, { dropToken: true })
        yield* Effect.logInfo("deregistered").pipe(Effect.annotateLogs({ user: user.name }))
        conn.send(okFrame(id))
      })

    // -------------------------------------------------------------------------------------------
    // Queries and messages

    const req = (conn: Connection, id: number, m: Extract<ClientMessage, { _tag: "ReqUser" }>) =>
      Effect.gen(function*() {
        const { row, key } = yield* loadUser(accountName(m.username))
        // the stored level, as the original (an operator's change shows before the user logs in again)
        conn.send(reqFrame(id, row.username, publicKeyToPem(key), row.permission))
      })

    const usrs = (conn: Connection, id: number, kind: number) =>
      Effect.gen(function*() {
        let lines: Array<string>
        switch (kind) {
          case UsrsType.ALL:
            lines = (yield* users.listActive(USRS_MAX_LINES)).map((u) => u.username)
            break
          case UsrsType.ALLPERMS:
            lines = (yield* users.listActive(USRS_MAX_LINES)).map((u) => `${u.username} ${u.permission}`)
            break
          case UsrsType.ONLINE:
            lines = presence.onlineUsers().map((u) => u.name)
            break
          default:
            lines = presence.onlineUsers().map((u) => `${u.name} ${u.permission}`)
        }
        if (lines.length === 0) return yield* refuse(ErrorCode.OPTION, "empty list")
        // one argument holds at most 2045 bytes: keep whole lines that fit
        let list = ""
        for (const line of lines) {
          const next = list.length === 0 ? line : `${list}\n${line}`
          if (Buffer.byteLength(next) > MAX_ARG_CONTENT) break
          list = next
        }
        conn.send(usrsFrame(id, list))
      })

    /**
     * MSG, checked in the original's order: message to oneself (ERR_INVALID); recipient online: relayed
     * (a bad stamp is ERR_ARGS here, where the original forwarded it); offline: the recipient must exist
     * and have a key (ERR_NOTFOUND / ERR_DEREG / ERR_CORRUPTED) before the stamp is checked (ERR_ARGS).
     * The relay hot path handles the common online case; this is the exact, slower version of it.
     */
    const msg = (conn: Connection, packet: Packet, user: OnlineUser) =>
      Effect.gen(function*() {
        const [destArg, stampArg, ciphertext] = packet.args
        const dest = accountName(argText(destArg))
        if (dest === user.name) return yield* refuse(ErrorCode.INVALID, "message to oneself")
        const stamp = decodeStamp(stampArg)
        if (dest !== undefined && presence.find(dest)?.accepting === true) {
          if (stamp === undefined) return yield* refuse(ErrorCode.ARGS, "the stamp is not a Go varint")
          presence.deliver(dest, recivFrame(user.nameBytes, stampArg, ciphertext))
          conn.send(okFrame(packet.id))
          return
        }
        const { row } = yield* loadUser(dest)
        // beyond JavaScript dates (year 275760) a stamp could not be stored exactly: refused as unparsable
        if (stamp === undefined || Math.abs(stamp) > MAX_STAMP_SECONDS) return yield* refuse(ErrorCode.ARGS, "the stamp is not a Go varint")
        yield* offline.store({ src: user.id, dst: row.id, stamp, ciphertext })
        conn.send(okFrame(packet.id))
      })

    /** A catch-up writes straight into the connection, one buffer of RECIV frames per chunk. */
    const catchUpSink = (conn: Connection): CatchUpSink => ({
      write: (chunk, written) => conn.sendConfirmed([recivFrames(chunk)], written)
    })

    const reciv = (conn: Connection, id: number, user: OnlineUser) =>
      Effect.gen(function*() {
        // the first page doubles as the emptiness check (one query less per catch-up)
        const first = yield* offline.firstPage(user.id)
        if (first.length === 0) return yield* refuse(ErrorCode.EMPTY, "no stored messages")
        conn.send(okFrame(id))
        // the OK is the only reply: a later failure is logged (the undelivered rest stays stored)
        const delivered = yield* offline.drain(user.id, catchUpSink(conn), first).pipe(
          Effect.catchTags({
            CatchUpStopped: (e) => Effect.as(Effect.logDebug("catch-up stopped: the connection closed", e.reason), -1),
            SqlError: (e) => Effect.as(Effect.logError("catch-up stopped: database error", e.message, e.cause), -1)
          })
        )
        yield* Effect.logDebug("catch-up").pipe(Effect.annotateLogs({ user: user.name, delivered }))
      })

    const sub = (conn: Connection, id: number, hook: number) =>
      Effect.gen(function*() {
        if (hook === HookType.ALL) {
          for (const h of [HookType.NEWLOGIN, HookType.NEWLOGOUT, HookType.DUPSESS, HookType.PERMSCHG]) conn.hooks.add(h)
        } else {
          if (conn.hooks.has(hook)) return yield* refuse(ErrorCode.EXISTS, "already subscribed")
          conn.hooks.add(hook)
        }
        conn.send(okFrame(id))
      })

    const unsub = (conn: Connection, id: number, hook: number) =>
      Effect.gen(function*() {
        if (hook === HookType.ALL) conn.hooks.clear()
        else {
          if (!conn.hooks.has(hook)) return yield* refuse(ErrorCode.NOTFOUND, "not subscribed")
          conn.hooks.delete(hook)
        }
        conn.send(okFrame(id))
      })

    // -------------------------------------------------------------------------------------------
    // ADMIN

    /** Closes another user's session: token dropped, NEWLOGOUT to subscribers, socket closed. */
    const endSession = (target: Endpoint, reason: string) =>
      Effect.gen(function*() {
        yield* sessions.logout(target, { dropToken: true })
        target.close(reason)
      })

    /**
     * CHGPERMS in the original's order: self (ERR_INVALID), target lookup (ERR_NOTFOUND), then the level
     * byte (ERR_ARGS), granting at or above one's own level / a target not below (ERR_PERMS), no change
     * (ERR_INVALID). One reply, also on a database error (the original sent ERR_SERVER and then OK).
     */
    const chgPerms = (conn: Connection, packet: Packet, user: OnlineUser) =>
      Effect.gen(function*() {
        const name = accountName(argText(packet.args[0]))
        if (name === user.name) return yield* refuse(ErrorCode.INVALID, "can not change your own level")
        const row = name === undefined ? Option.none() : yield* users.findByName(name)
        if (Option.isNone(row)) return yield* refuse(ErrorCode.NOTFOUND, "no such user")
        const target = row.value
        const levelArg = packet.args[1]
        const level = levelArg.length === 0 ? -1 : levelArg[0]
        if (!isPermission(level)) return yield* refuse(ErrorCode.ARGS, "unknown permission level")
        if (user.permission <= level) return yield* refuse(ErrorCode.PERMS, "can only grant levels below yours")
        if (user.permission <= target.permission) return yield* refuse(ErrorCode.PERMS, "target is not below you")
        if (target.permission === level) return yield* refuse(ErrorCode.INVALID, "target already has this level")
        yield* Effect.logInfo("admin operation").pipe(Effect.annotateLogs({ op: "AdminChgPerms", admin: user.name }))
        yield* users.setPermission(target.username, level)
        userCache.invalidate(target.username)
        const online = presence.find(target.username)
        if (online?.user !== undefined) {
          online.user.permission = level
          hooks.permsChg(target.username, level)
        }
        conn.send(okFrame(packet.id))
      })

    const admin = (conn: Connection, packet: Packet, user: OnlineUser) =>
      Effect.gen(function*() {
        const op = packet.info
        if (user.permission === Permission.USER) return yield* refuse(ErrorCode.PERMS, "ADMIN needs ADMIN or OWNER")
        if (!isAdminOp(op)) return yield* refuse(ErrorCode.INVALID, `unknown ADMIN operation ${op}`)
        if (packet.args.length < adminArgs(op)) return yield* refuse(ErrorCode.ARGS, "too few arguments")
        const required = op === AdminOp.CHGPERMS || op === AdminOp.MOTD ? Permission.OWNER : Permission.ADMIN
        if (user.permission < required) return yield* refuse(ErrorCode.PERMS, "operation needs OWNER")
        if (op === AdminOp.CHGPERMS) return yield* chgPerms(conn, packet, user)
        const decoded = decodeClientMessage(packet)
        if (Either.isLeft(decoded)) return yield* fromProtocol(decoded.left)
        const m = decoded.right as AdminMessage
        switch (m._tag) {
          case "AdminShutdown": {
            const at = m.stamp.getTime()
            if (at < Date.now()) return yield* refuse(ErrorCode.ARGS, "shutdown time is in the past")
            yield* shutdown.schedule(at)
            const frame = shtdwnFrame(packet.args[0])
            for (const endpoint of presence.endpoints()) endpoint.send(frame)
            break
          }
          case "AdminDereg": {
            const name = accountName(m.username)
            const row = name === undefined ? Option.none() : yield* users.findByName(name)
            if (Option.isNone(row)) return yield* refuse(ErrorCode.NOTFOUND, "no such user")
            const target = row.value
            if (user.permission <= target.permission) return yield* refuse(ErrorCode.PERMS, "target is not below you")
            yield* users.deregister(target.id)
            userCache.invalidate(target.username)
            verifications.dropToken(target.username)
            const online = presence.find(target.username)
            if (online !== undefined) yield* endSession(online, "deregistered by an administrator")
            break
          }
          case "AdminBroadcast": {
            if (!conn.secure) return yield* refuse(ErrorCode.NOSECURE, "broadcast needs TLS")
            // the text's bytes as sent (the original did not re-encode them)
            const text = Buffer.concat([BROADCAST_PREFIX_BYTES, packet.args[0]])
            const recipients = presence.onlineUsers().filter((u) => u.name !== user.name)
            if (recipients.some((u) => maxPlaintextFor(u.publicKey) < text.length)) {
              return yield* refuse(ErrorCode.MAXSIZE, "broadcast text too long for a recipient's key")
            }
            const stamp = encodeStamp(Math.floor(Date.now() / 1000))
            for (const recipient of recipients) {
              const ciphertext = encryptNoCrlf(recipient.publicKey, text)
              if (Either.isRight(ciphertext)) {
                presence.deliver(recipient.name, recivFrame(user.nameBytes, stamp, ciphertext.right))
              }
            }
            break
          }
          case "AdminChgPerms":
            return // handled by chgPerms above
          case "AdminKick": {
            const name = accountName(m.username)
            const target = name === undefined ? undefined : presence.find(name)
            if (target?.user === undefined) return yield* refuse(ErrorCode.NOTFOUND, "user is not online")
            if (user.permission <= target.user.permission) return yield* refuse(ErrorCode.PERMS, "target is not below you")
            yield* endSession(target, "kicked by an administrator")
            break
          }
          case "AdminMotd": {
            // stored and sent as UTF-8 text: bytes that are not would be replaced and could outgrow HELLO
            const raw = packet.args[0]
            if (!isUtf8(raw)) return yield* refuse(ErrorCode.ARGS, "the MOTD must be UTF-8 text")
            yield* motd.set(Buffer.from(raw).toString("utf8"))
            break
          }
        }
        // logged only once carried out (a refusal is logged at debug level by `handle`)
        yield* Effect.logInfo("admin operation").pipe(Effect.annotateLogs({ op: m._tag, admin: user.name }))
        conn.send(okFrame(packet.id))
      })

    // -------------------------------------------------------------------------------------------
    // Dispatch

    const dispatch = (conn: Connection, packet: Packet): Effect.Effect<void, Refusal | SqlError> =>
      Effect.gen(function*() {
        const user = conn.user
        const action = packet.action
        switch (action) {
          case Action.REG:
          case Action.LOGIN:
          case Action.VERIF:
            if (user !== undefined) return yield* refuse(ErrorCode.INVALID, "already logged in")
            break
          case Action.LOGOUT:
            if (user === undefined && !verifications.hasPending(conn.id)) return yield* refuse(ErrorCode.NOSESS)
            return yield* logout(conn, packet.id)
          case Action.OK:
          case Action.ERR:
          case Action.SHTDWN:
          case Action.HOOK:
          case Action.HELLO:
            return yield* refuse(user === undefined ? ErrorCode.NOSESS : ErrorCode.INVALID, "server-only action")
          case Action.KEEP:
            return
          default:
            if (user === undefined) return yield* refuse(ErrorCode.NOSESS)
        }
        if (action === Action.ADMIN) return yield* admin(conn, packet, user!)
        if (action === Action.MSG) return yield* msg(conn, packet, user!)
        const decoded = decodeClientMessage(packet)
        if (Either.isLeft(decoded)) return yield* fromProtocol(decoded.left)
        const m = decoded.right
        switch (m._tag) {
          case "Reg":
            return yield* reg(conn, packet.id, m)
          case "Login":
            return yield* login(conn, packet.id, m)
          case "VerifAnswer":
            return yield* verif(conn, packet.id, m)
          case "Dereg":
            return yield* dereg(conn, packet.id, user!)
          case "ReqUser":
            return yield* req(conn, packet.id, m)
          case "Usrs":
            return yield* usrs(conn, packet.id, m.kind)
          case "RecivRequest":
            return yield* reciv(conn, packet.id, user!)
          case "Sub":
            return yield* sub(conn, packet.id, m.hook)
          case "Unsub":
            return yield* unsub(conn, packet.id, m.hook)
          default:
            return yield* refuse(ErrorCode.INVALID, `unexpected ${m._tag}`)
        }
      })

    /** Handles one packet; never fails: every failure becomes an ERR reply with the request ID. */
    const handle = (conn: Connection, packet: Packet): Effect.Effect<void> =>
      dispatch(conn, packet).pipe(
        Effect.catchTags({
          Refusal: (r) =>
            Effect.zipRight(
              Effect.sync(() => conn.send(errFrame(packet.id, r.code))),
              Effect.logDebug("refused", r.message)
            ),
          SqlError: (e) =>
            Effect.zipRight(
              Effect.sync(() => conn.send(errFrame(packet.id, ErrorCode.SERVER))),
              Effect.logError("database error", e.message, e.cause)
            )
        }),
        Effect.catchAllDefect((defect) =>
          Effect.zipRight(
            Effect.sync(() =>
              conn.send(errFrame(packet.id, defect instanceof ProtocolError ? ErrorCode.PACKET : ErrorCode.SERVER))
            ),
            Effect.logError("request failed", Cause.pretty(Cause.die(defect)))
          )),
        Effect.annotateLogs({ conn: conn.id, ip: conn.ip, user: conn.user?.name ?? "-", id: packet.id })
      )

    return { handle } as const
  })
}) {}
