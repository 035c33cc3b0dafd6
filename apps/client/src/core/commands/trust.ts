/**
 * TRUST: accept the changed public key of a contact (after comparing fingerprints with that
 * person by another channel). Until then MSG to that contact is refused.
 */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { contactKey } from "../contactKeys.js"
import { LocalNotFound } from "../errors.js"
import { checkUsername } from "./_shared.js"

export const trust = Effect.fn("commands.trust")(function*(input: { readonly username: string; readonly server?: string }) {
  const client = yield* Client
  const server = input.server === undefined ? yield* client.server : yield* client.store.requireServer(input.server)
  const username = yield* checkUsername(input.username)
  const contact = yield* client.store.getContact(server.serverId, username)
  if (contact === undefined || contact.pendingKey === undefined) {
    return yield* new LocalNotFound({ reason: `no changed key is waiting for ${username} on ${server.name} (REQ ${username} checks again)` })
  }
  yield* contactKey(contact.pendingKey, `the new key of ${username}`, "it was not trusted (the pinned key stays)")
  yield* client.store.acceptPendingKey(server.serverId, username)
  return { username, previous: contact.fingerprint, accepted: contact.pendingFingerprint ?? "" }
})
