/**
 * FINGERPRINT: the fingerprint of your own key (no argument, logged in) or of a contact's
 * pinned key, with the changed key waiting for TRUST if there is one.
 */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { LocalNotFound } from "../errors.js"
import { checkUsername } from "./_shared.js"

export interface FingerprintResult {
  readonly username: string
  readonly fingerprint: string
  readonly pending: string | undefined
  readonly firstSeen: Date | undefined
}

export const fingerprintOf = Effect.fn("commands.fingerprint")(function*(input: { readonly username?: string } = {}) {
  const client = yield* Client
  if (input.username === undefined) {
    const session = yield* client.session
    return { username: session.account.username, fingerprint: session.fingerprint, pending: undefined, firstSeen: undefined } satisfies FingerprintResult
  }
  const server = yield* client.server
  const username = yield* checkUsername(input.username)
  const current = yield* client.currentSession
  if (current !== undefined && current.account.username === username) {
    return { username, fingerprint: current.fingerprint, pending: undefined, firstSeen: undefined } satisfies FingerprintResult
  }
  const contact = yield* client.store.getContact(server.serverId, username)
  if (contact === undefined) return yield* new LocalNotFound({ reason: `${username} was never requested (use REQ ${username})` })
  return { username, fingerprint: contact.fingerprint, pending: contact.pendingFingerprint, firstSeen: contact.firstSeen } satisfies FingerprintResult
})
