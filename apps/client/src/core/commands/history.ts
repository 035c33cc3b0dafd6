/** HISTORY: the stored conversation with a user, oldest first (last `limit` messages). */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { checkUsername } from "./_shared.js"

export const history = Effect.fn("commands.history")(function*(input: { readonly username: string; readonly limit?: number }) {
  const client = yield* Client
  const session = yield* client.session
  const peer = yield* checkUsername(input.username)
  return yield* client.store.history(session.account.localId, peer, input.limit ?? 50)
})
