/**
 * MSG: send a text to a user. The user's pinned key is used (requested and pinned first if
 * unknown); a changed, not yet trusted key refuses the send. Texts longer than one RSA block
 * (446 bytes) go as several MSGs; ciphertexts never contain CRLF. The sent text is stored
 * once the server accepted every part.
 */
import { encryptNoCrlf, splitMessage } from "@gochat/crypto"
import { Action, encodeStamp } from "@gochat/protocol"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { contactKey } from "../contactKeys.js"
import { CryptoFailure, KeyChanged, UsageError } from "../errors.js"
import { requestAndPin } from "./_contacts.js"
import { checkUsername, utf8Encode } from "./_shared.js"

export interface MsgResult {
  readonly to: string
  /** Number of MSG packets the text was split into. */
  readonly parts: number
  readonly stamp: Date
}

export const msg = Effect.fn("commands.msg")(function*(input: { readonly to: string; readonly text: string }) {
  const client = yield* Client
  const session = yield* client.session
  const to = yield* checkUsername(input.to)
  if (to === session.account.username) return yield* new UsageError({ reason: "cannot message yourself" })
  if (input.text.length === 0) return yield* new UsageError({ reason: "the message is empty" })
  const store = client.store
  let contact = yield* store.getContact(session.server.serverId, to)
  if (contact === undefined) {
    yield* requestAndPin(session.server, to)
    contact = yield* store.getContact(session.server.serverId, to)
  }
  if (contact === undefined) return yield* new UsageError({ reason: `${to} could not be requested` })
  if (contact.pendingKey !== undefined) {
    return yield* new KeyChanged({ username: to, pinned: contact.fingerprint, offered: contact.pendingFingerprint ?? "?" })
  }
  const { key } = yield* contactKey(contact.publicKey, `the pinned key of ${to}`, "nothing was sent")
  const parts = splitMessage(input.text)
  const stamp = new Date(Math.round(Date.now() / 1000) * 1000)
  const stampBytes = encodeStamp(stamp.getTime() / 1000)
  const sent: Array<string> = []
  const sendAll = Effect.forEach(parts, (part) =>
    Effect.gen(function*() {
      const ciphertext = encryptNoCrlf(key, utf8Encode(part))
      if (Either.isLeft(ciphertext)) {
        return yield* new CryptoFailure({ reason: `a part of the message is too long for the key of ${to}` })
      }
      yield* client.connection.request({ action: Action.MSG, args: [to, stampBytes, ciphertext.right] })
      sent.push(part)
    }), { discard: true })
  yield* sendAll.pipe(
    Effect.ensuring(Effect.suspend(() =>
      sent.length === 0
        ? Effect.void
        : store.addMessage({ localId: session.account.localId, peer: to, direction: "out", stamp, text: sent.join("") }).pipe(
          Effect.ignore
        )
    ))
  )
  return { to, parts: parts.length, stamp } satisfies MsgResult
})
