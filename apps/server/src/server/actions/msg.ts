/**
 * MSG, both paths in one place.
 *
 * The hot path (`msgHotPath`, run synchronously by `Relay` for every MSG packet): to a user who is online
 * on this instance (`LocalEndpoints`), RECIV to the recipient and OK to the sender, no Effect, no allocation
 * beyond the two frames. To a user online on another instance of the service (`Presence.remote`), the RECIV
 * frame is forwarded and a reply slot reserved: OK once the other instance queued it, the offline store if
 * the recipient had left meanwhile, ERR_SERVER if no answer came (then it was not stored either, so it can
 * never arrive twice). To an
 * offline user whose account is cached as usable (`UserCache`) the message is pipelined: it goes to the
 * group commit (`OfflineMessages.enqueue`) and a reply slot is reserved on the connection, filled with OK
 * once the commit is done (ERR_SERVER if it failed); later replies of the connection wait behind it.
 * Anything it cannot finish on the spot (unknown/uncached recipient, bad stamp, message to oneself, not
 * logged in) returns false and goes to the slow path.
 *
 * Limits (docs/IMPLEMENTATION.md, "Security"), checked here for every MSG with plain arithmetic on the
 * sender's buckets (kept on its `OnlineUser`, clocked by the connection's read time): every MSG takes a
 * token of `msg_burst` / `msg_per_second`, a stored one also of `offline_burst` / `offline_per_second`,
 * and a stored one must fit the recipient's mailbox (`OfflineMessages.fits`; one that does not goes to the
 * slow path, which re-reads the mailbox before refusing). A refusal is ERR_PACKET with the request ID
 * ("packet could not be delivered", which the original client shows), logged once in a while by `Limits`.
 *
 * The slow path (`msg`) is the exact version, checked in the original's order: message to oneself
 * (ERR_INVALID); recipient online: relayed (a bad stamp is ERR_ARGS here, where the original forwarded
 * it); offline: the recipient must exist and have a key (ERR_NOTFOUND / ERR_DEREG / ERR_CORRUPTED) before
 * the stamp is checked (ERR_ARGS).
 */
import {
  Action,
  argText,
  decodeStamp,
  EMPTY_INFO,
  ErrorCode,
  MAX_STAMP_SECONDS,
  NULL_ID,
  type Packet,
  packetSize,
  USERNAME_MAX,
  writePacket
} from "@gochat/protocol"
import { Effect } from "effect"
import type { Limits } from "../../hubs/Limits.js"
import type { LocalEndpoints } from "../../hubs/LocalEndpoints.js"
import type { OfflineMessages } from "../../hubs/OfflineMessages.js"
import type { ForwardOutcome, OnlineUser, Presence, RemoteUser } from "../../hubs/Presence.js"
import type { UserCache } from "../../storage/UserCache.js"
import { type Connection, errFrame, okFrame } from "../Connection.js"
import { recivFrame } from "../frames.js"
import { refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler } from "./context.js"

const UPPER_A = 0x41
const UPPER_Z = 0x5a

/** The lowercased ASCII name, or undefined if it cannot be a valid username. */
const asciiName = (bytes: Uint8Array): string | undefined => {
  const n = bytes.length
  if (n === 0 || n > USERNAME_MAX) return undefined
  let s = ""
  for (let i = 0; i < n; i++) {
    let c = bytes[i]
    if (c >= UPPER_A && c <= UPPER_Z) c += 0x20
    s += String.fromCharCode(c)
  }
  return s
}

/** The synchronous MSG relay: true if the packet was handled (replied to, or its reply reserved). */
export const msgHotPath = (
  local: LocalEndpoints,
  presence: Presence["Type"],
  offline: OfflineMessages,
  cache: UserCache,
  guard: Limits
): (conn: Connection, packet: Packet) => boolean => {
  /** A limit refused the MSG: ERR_PACKET in reply order, logged once in a while. */
  const refused = (conn: Connection, packet: Packet, user: OnlineUser, limit: "msgBurst" | "offlineBurst"): boolean => {
    conn.reply(errFrame(packet.id, ErrorCode.PACKET))
    guard.triggered(limit, user.name)
    return true
  }

  /** MSG to a user who is not online: pipelined store if the recipient is known to be usable. */
  const offlineMsg = (conn: Connection, packet: Packet, user: OnlineUser, dest: string): boolean => {
    const recipient = cache.get(dest)
    if (recipient === undefined) return false
    const stamp = decodeStamp(packet.args[1])
    // beyond JavaScript dates a stamp could not be stored exactly: the slow path refuses it
    if (stamp === undefined || Math.abs(stamp) > MAX_STAMP_SECONDS) return false
    // a full mailbox (as counted here): the slow path looks again before it refuses
    if (!offline.fits(recipient.id, packet.args[2].length)) return false
    if (!user.offlineBucket.take(conn.readAt)) return refused(conn, packet, user, "offlineBurst")
    const id = packet.id
    const slot = conn.reserveReply()
    offline.enqueue(
      { src: user.id, dst: recipient.id, stamp, ciphertext: Uint8Array.prototype.slice.call(packet.args[2]) },
      (error) => conn.resolveReply(slot, error === undefined ? okFrame(id) : errFrame(id, ErrorCode.SERVER))
    )
    return true
  }

  /** MSG to a user on another instance: forwarded, the reply decided by the outcome. */
  const remoteMsg = (conn: Connection, packet: Packet, user: OnlineUser, to: RemoteUser, frame: Uint8Array): boolean => {
    const id = packet.id
    const slot = conn.reserveReply()
    const stamp = decodeStamp(packet.args[1])!
    // the packet's arguments are views of the read buffer: the ciphertext is read back from the frame,
    // where it is the last argument (followed by CRLF)
    const ciphertextLength = packet.args[2].length
    presence.forward(to, frame, (outcome: ForwardOutcome) => {
      if (outcome === "delivered") return conn.resolveReply(slot, okFrame(id))
      if (outcome === "unknown") return conn.resolveReply(slot, errFrame(id, ErrorCode.SERVER))
      // beyond JavaScript dates a stamp could not be stored exactly (as the slow path's offline case)
      if (Math.abs(stamp) > MAX_STAMP_SECONDS) return conn.resolveReply(slot, errFrame(id, ErrorCode.ARGS))
      // stored after all: the same limits as any stored MSG (without a second look at a full mailbox)
      if (!offline.fits(to.id, ciphertextLength)) {
        guard.triggered("mailboxMaxMessages", to.name)
        return conn.resolveReply(slot, errFrame(id, ErrorCode.PACKET))
      }
      if (!user.offlineBucket.take(Date.now())) {
        guard.triggered("offlineBurst", user.name)
        return conn.resolveReply(slot, errFrame(id, ErrorCode.PACKET))
      }
      const end = frame.length - 2
      offline.enqueue(
        { src: user.id, dst: to.id, stamp, ciphertext: frame.subarray(end - ciphertextLength, end) },
        (error) => conn.resolveReply(slot, error === undefined ? okFrame(id) : errFrame(id, ErrorCode.SERVER))
      )
    })
    return true
  }

  return (conn, packet) => {
    const user = conn.user
    if (user === undefined) return false
    if (!user.msgBucket.take(conn.readAt)) return refused(conn, packet, user, "msgBurst")
    const args = packet.args
    const dest = asciiName(args[0])
    if (dest === undefined || dest === user.name) return false
    const target = local.find(dest)
    let remote: RemoteUser | undefined = undefined
    if (target === undefined || !target.accepting) {
      remote = presence.remote(dest)
      if (remote === undefined) return offlineMsg(conn, packet, user, dest)
    }
    if (decodeStamp(args[1]) === undefined) return false
    // no validation needed: a 32-byte name plus two arguments the framer accepted fit any frame limit
    const relayed = [user.nameBytes, args[1], args[2]]
    const frame = Buffer.allocUnsafe(packetSize({ action: Action.RECIV, info: EMPTY_INFO, id: NULL_ID, args: relayed }))
    writePacket({ action: Action.RECIV, info: EMPTY_INFO, id: NULL_ID, args: relayed }, frame, 0)
    if (remote !== undefined) return remoteMsg(conn, packet, user, remote, frame)
    target!.send(frame)
    conn.reply(okFrame(packet.id))
    return true
  }
}

export const msg = (ctx: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet, user: OnlineUser) =>
    Effect.gen(function*() {
      const { local, presence, offline } = ctx
      const [destArg, stampArg, ciphertext] = packet.args
      const dest = accountName(argText(destArg))
      if (dest === user.name) return yield* refuse(ErrorCode.INVALID, "message to oneself")
      const stamp = decodeStamp(stampArg)
      // online here or elsewhere: the hot path relays every such MSG whose stamp parses
      if (dest !== undefined && (local.find(dest)?.accepting === true || presence.remote(dest) !== undefined)) {
        if (stamp === undefined) return yield* refuse(ErrorCode.ARGS, "the stamp is not a Go varint")
        if (!(yield* presence.deliver(dest, recivFrame(user.nameBytes, stampArg, ciphertext)))) {
          return yield* refuse(ErrorCode.SERVER, "the recipient could not be reached")
        }
        conn.send(okFrame(packet.id))
        return
      }
      const { row } = yield* ctx.loadUser(dest)
      // beyond JavaScript dates (year 275760) a stamp could not be stored exactly: refused as unparsable
      if (stamp === undefined || Math.abs(stamp) > MAX_STAMP_SECONDS) return yield* refuse(ErrorCode.ARGS, "the stamp is not a Go varint")
      // (the MSG token was taken by the hot path, which sees every MSG first; the stored-MSG token before
      // the mailbox check, which may read the database)
      if (!user.offlineBucket.take(Date.now())) {
        ctx.guard.triggered("offlineBurst", user.name)
        return yield* refuse(ErrorCode.PACKET, "too many stored messages")
      }
      if (!(yield* offline.admit(row.id, ciphertext.length))) {
        const full = offline.mailboxOf(row.id).count + 1 > ctx.config.limits.mailboxMaxMessages
        ctx.guard.triggered(full ? "mailboxMaxMessages" : "mailboxMaxBytes", row.username)
        return yield* refuse(ErrorCode.PACKET, `the mailbox of ${row.username} is full`)
      }
      yield* offline.store({ src: user.id, dst: row.id, stamp, ciphertext })
      conn.send(okFrame(packet.id))
    })
})
