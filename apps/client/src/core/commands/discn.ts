/** DISCN: close the connection. Waiting requests fail with ConnectionLost. */
import { Effect } from "effect"
import { Client } from "../Client.js"

export const discn = Effect.fn("commands.discn")(function*() {
  const client = yield* Client
  yield* client.connection.disconnect()
})
