/**
 * DEREG: delete the logged-in account on the server (its name can never be registered
 * again), then the local account with its key and history. Asks for the password first.
 */
import { Action } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"
import { unlock } from "./_account.js"

export const dereg = Effect.fn("commands.dereg")(function*(input: { readonly password: string }) {
  const client = yield* Client
  const session = yield* client.session
  yield* unlock(session.account, input.password)
  yield* client.connection.request({ action: Action.DEREG })
  yield* client.store.deleteLocalUser(session.account.localId)
  yield* client.setToken(session.server.serverId, session.account.username, undefined)
  yield* client.loggedOut
  return { username: session.account.username }
})
