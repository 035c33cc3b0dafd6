/** SERVERS: the stored servers. */
import { Effect } from "effect"
import { Client } from "../Client.js"

export const servers = Effect.fn("commands.servers")(function*() {
  const client = yield* Client
  return yield* client.store.listServers
})
