/** VERIF: the decrypted challenge of a pending LOGIN; a right answer starts the session (and, over TLS, makes it a token). */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { constantTimeEqual } from "@gochat/crypto"
import { Effect } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler, decodeAs } from "./context.js"

export const verif = (ctx: ActionContext): ActionHandler => ({
  gate: "anonymous",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { verifications, sessions } = ctx
      const m = yield* decodeAs(packet, "VerifAnswer")
      const { row, key } = yield* ctx.loadForLogin(accountName(m.username))
      const text = yield* verifications.take(conn.id, row.username)
      if (text === undefined) return yield* refuse(ErrorCode.INVALID, "no pending challenge")
      if (!constantTimeEqual(text, m.answer)) {
        // as the original's Cleanup: a wrong answer also cancels the connection's other challenges
        yield* verifications.cancelConnection(conn.id)
        return yield* refuse(ErrorCode.HANDSHAKE, "wrong answer")
      }
      yield* sessions.login(conn, ctx.onlineUser(row, key))
      // (a token bound to a connection that closed meanwhile would stay "in use" for ever)
      if (conn.secure && conn.accepting) verifications.issueToken(row.username, conn.id, text)
      conn.send(okFrame(packet.id))
    })
})
