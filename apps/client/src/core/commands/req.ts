/**
 * REQ: fetch a user's public key and permission level. The first key seen is pinned; a
 * different key later is recorded but not used until TRUST.
 */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { UsageError } from "../errors.js"
import { requestAndPin } from "./_contacts.js"
import { checkUsername } from "./_shared.js"

export const req = Effect.fn("commands.req")(function*(input: { readonly username: string }) {
  const client = yield* Client
  const session = yield* client.session
  const username = yield* checkUsername(input.username)
  if (username === session.account.username) {
    return yield* new UsageError({ reason: "cannot request yourself (use PERMS or FINGERPRINT for your own account)" })
  }
  return yield* requestAndPin(session.server, username)
})
