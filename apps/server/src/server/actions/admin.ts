/**
 * ADMIN: the level every operation needs is checked here, once (ADMIN or OWNER; CHGPERMS and MOTD need
 * OWNER), then the operation runs: SHTDWN, DEREG, BRDCAST, CHGPERMS, KICK, MOTD.
 */
import { isUtf8 } from "node:buffer"
import type { KeyObject } from "node:crypto"
import type { SqlError } from "@effect/sql/SqlError"
import {
  AdminOp,
  adminArgs,
  type AdminMessage,
  argText,
  decodeClientMessage,
  encodeStamp,
  ErrorCode,
  isAdminOp,
  isPermission,
  type Packet,
  Permission
} from "@gochat/protocol"
import { encryptNoCrlf, maxPlaintextFor } from "@gochat/crypto"
import { Effect, Either, Option } from "effect"
import type { OnlineUser } from "../../hubs/Presence.js"
import { type Connection, okFrame } from "../Connection.js"
import { recivFrame } from "../frames.js"
import { type Refusal, refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler, fromProtocol } from "./context.js"

const BROADCAST_PREFIX_BYTES = Buffer.from("ADMINISTRATIVE BROADCAST:\n", "latin1")

export const admin = (ctx: ActionContext): ActionHandler => {
  const { users, local, presence, verifications, motd } = ctx

  /**
   * Everyone online but the sender, with their public keys: the session's own for users logged in here,
   * the stored one (cached) for users on other instances.
   */
  const broadcastRecipients = (sender: string) =>
    Effect.gen(function*() {
      const recipients: Array<{ readonly name: string; readonly publicKey: KeyObject }> = []
      for (const entry of presence.onlineUsers()) {
        if (entry.name === sender) continue
        const here = local.find(entry.name)?.user
        if (here !== undefined) {
          recipients.push(here)
          continue
        }
        const loaded = yield* Effect.either(ctx.loadUser(entry.name))
        if (Either.isRight(loaded)) recipients.push({ name: entry.name, publicKey: loaded.right.key })
      }
      return recipients
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
      yield* ctx.accountChanged(target.username)
      if (presence.locate(target.username) !== undefined) {
        yield* presence.command({ _tag: "SetPermission", name: target.username, permission: level })
        presence.publish({ _tag: "PermsChg", name: target.username, permission: level })
      }
      conn.send(okFrame(packet.id))
    })

  /** The operations other than CHGPERMS, from their typed message. */
  const operation = (conn: Connection, packet: Packet, user: OnlineUser, m: AdminMessage): Effect.Effect<void, Refusal | SqlError> =>
    Effect.gen(function*() {
      switch (m._tag) {
        case "AdminShutdown": {
          const at = m.stamp.getTime()
          if (at < Date.now()) return yield* refuse(ErrorCode.ARGS, "shutdown time is in the past")
          // the whole service stops: every instance schedules it and tells its connections
          yield* presence.command({ _tag: "ShutdownScheduled", atMs: at, stamp: [...packet.args[0]] })
          return
        }
        case "AdminDereg": {
          const name = accountName(m.username)
          const row = name === undefined ? Option.none() : yield* users.findByName(name)
          if (Option.isNone(row)) return yield* refuse(ErrorCode.NOTFOUND, "no such user")
          const target = row.value
          if (user.permission <= target.permission) return yield* refuse(ErrorCode.PERMS, "target is not below you")
          yield* users.deregister(target.id)
          yield* ctx.tokens.drop(target.username)
          yield* ctx.accountChanged(target.username, "deregistered by an administrator")
          return
        }
        case "AdminBroadcast": {
          if (!conn.secure) return yield* refuse(ErrorCode.NOSECURE, "broadcast needs TLS")
          // the text's bytes as sent (the original did not re-encode them)
          const text = Buffer.concat([BROADCAST_PREFIX_BYTES, packet.args[0]])
          const recipients = yield* broadcastRecipients(user.name)
          if (recipients.some((u) => maxPlaintextFor(u.publicKey) < text.length)) {
            return yield* refuse(ErrorCode.MAXSIZE, "broadcast text too long for a recipient's key")
          }
          const stamp = encodeStamp(Math.floor(Date.now() / 1000))
          for (const recipient of recipients) {
            const ciphertext = encryptNoCrlf(recipient.publicKey, text)
            if (Either.isRight(ciphertext)) {
              yield* presence.deliver(recipient.name, recivFrame(user.nameBytes, stamp, ciphertext.right))
            }
          }
          return
        }
        case "AdminChgPerms":
          return // handled by chgPerms before decoding
        case "AdminKick": {
          const name = accountName(m.username)
          const target = name === undefined ? undefined : presence.locate(name)
          if (target === undefined) return yield* refuse(ErrorCode.NOTFOUND, "user is not online")
          if (user.permission <= target.permission) return yield* refuse(ErrorCode.PERMS, "target is not below you")
          yield* presence.command({ _tag: "EndSession", name: target.name, reason: "kicked by an administrator" })
          return
        }
        case "AdminMotd": {
          // stored and sent as UTF-8 text: bytes that are not would be replaced and could outgrow HELLO
          const raw = packet.args[0]
          if (!isUtf8(raw)) return yield* refuse(ErrorCode.ARGS, "the MOTD must be UTF-8 text")
          const text = Buffer.from(raw).toString("utf8")
          yield* motd.set(text)
          yield* presence.command({ _tag: "MotdChanged", text })
          return
        }
      }
    })

  return {
    gate: "session",
    run: (conn, packet, user) =>
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
        yield* operation(conn, packet, user, m)
        // logged only once carried out (a refusal is logged at debug level by `Handlers.handle`)
        yield* Effect.logInfo("admin operation").pipe(Effect.annotateLogs({ op: m._tag, admin: user.name }))
        conn.send(okFrame(packet.id))
      })
  }
}
