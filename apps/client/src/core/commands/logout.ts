/** LOGOUT: end the session; the connection stays open. */
import { Action } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"

export const logout = Effect.fn("commands.logout")(function*() {
  const client = yield* Client
  const session = yield* client.session
  yield* client.connection.request({ action: Action.LOGOUT })
  yield* client.loggedOut
  return { username: session.account.username }
})
