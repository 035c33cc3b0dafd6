/** VERIF: the decrypted challenge of a pending LOGIN; a right answer starts the session (and, over TLS, makes it a token). */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { constantTimeEqual } from "@gochat/crypto"
import { Effect } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler, decodeAs, type LoginAccount } from "./context.js"

export const verif = (ctx: ActionContext): ActionHandler => ({
  gate: "anonymous",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { verifications, sessions, userCache } = ctx
      const m = yield* decodeAs(packet, "VerifAnswer")
      const name = accountName(m.username)
      const taken = name === undefined ? undefined : verifications.take<LoginAccount>(conn.id, name)
      if (taken === undefined) {
        // as before: an unknown or unusable account is refused as such, a known one has no challenge
        yield* ctx.loadForLogin(name)
        return yield* refuse(ErrorCode.INVALID, "no pending challenge")
      }
      // the account as its LOGIN read it, unless it changed since (DEREG, CHGPERMS and the other instances'
      // AccountChanged replace or drop the cache entry): then it is read again
      const { row, key } = userCache.get(taken.account.row.username) === taken.account.entry
        ? taken.account
        : yield* ctx.loadForLogin(name)
      if (!constantTimeEqual(taken.text, m.answer)) {
        // as the original's Cleanup: a wrong answer also cancels the connection's other challenges
        verifications.cancelConnection(conn.id)
        return yield* refuse(ErrorCode.HANDSHAKE, "wrong answer")
      }
      yield* sessions.login(conn, ctx.onlineUser(row, key))
      // (a token bound to a connection that closed meanwhile would stay "in use" for ever)
      if (conn.secure && conn.accepting) yield* ctx.tokens.issue(row.username, conn.id, taken.text)
      conn.send(okFrame(packet.id))
    })
})
