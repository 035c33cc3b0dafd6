/** REG: creates an account from a username and an RSA public key (anonymous connections only). */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { canonicalPublicKey, keyBits, parsePublicKey } from "@gochat/crypto"
import { Effect, Either } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import { accountName, type ActionContext, type ActionHandler, decodeAs } from "./context.js"

export const reg = ({ config, users }: ActionContext): ActionHandler => ({
  gate: "anonymous",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const m = yield* decodeAs(packet, "Reg")
      const name = accountName(m.username)
      if (name === undefined) return yield* refuse(ErrorCode.ARGS, "usernames are 1-32 letters or digits")
      // the exponent must be 65537 (parsePublicKey), the size one of `key_bits` (4096 by default)
      const key = parsePublicKey(m.publicKey, { bits: "any" })
      if (Either.isLeft(key)) return yield* refuse(ErrorCode.ARGS, `bad public key: ${key.left.reason}`)
      const bits = keyBits(key.right)
      if (!config.keyBits.includes(bits)) {
        return yield* refuse(ErrorCode.ARGS, `RSA keys must have ${config.keyBits.join(" or ")} bits, got ${bits}`)
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
      conn.send(okFrame(packet.id))
    })
})
