/**
 * LOGIN: with a reusable token (TLS only) the session starts at once; otherwise the server sends a
 * CSPRNG challenge encrypted with the user's public key as VERIF, answered by `verif.ts`.
 */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { encryptNoCrlf, randomChallenge } from "@gochat/crypto"
import { Effect, Either } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { verifFrame } from "../frames.js"
import { refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler, decodeAs } from "./context.js"

export const login = (ctx: ActionContext): ActionHandler => ({
  gate: "anonymous",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { verifications, sessions } = ctx
      const m = yield* decodeAs(packet, "Login")
      const name = accountName(m.username)
      if (name !== undefined) yield* ctx.refuseDupSess(conn, name)
      const account = yield* ctx.loadForLogin(name)
      const { row, key } = account
      if (m.token !== undefined) {
        if (!conn.secure) return yield* refuse(ErrorCode.NOSECURE, "token login needs TLS")
        switch (yield* ctx.tokens.check(row.username, m.token)) {
          case "not-found":
          case "expired":
            return yield* refuse(ErrorCode.NOTFOUND, "no valid token")
          case "in-use":
            return yield* refuse(ErrorCode.INVALID, "token still bound to its session")
          case "mismatch":
            return yield* refuse(ErrorCode.HANDSHAKE, "wrong token")
        }
        yield* sessions.login(conn, ctx.onlineUser(row, key))
        conn.send(okFrame(packet.id))
        return
      }
      const text = randomChallenge()
      const ciphertext = encryptNoCrlf(key, Buffer.from(text, "latin1"))
      if (Either.isLeft(ciphertext)) return yield* refuse(ErrorCode.CORRUPTED, "key too small for a challenge")
      // the account read now goes with the challenge: its VERIF needs no second read (verif.ts)
      verifications.challenge(conn.id, row.username, text, account)
      conn.send(verifFrame(packet.id, ciphertext.right))
    })
})
