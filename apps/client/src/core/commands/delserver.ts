/**
 * DELSERVER: forget a server and its contacts. Its local accounts stay (with their messages)
 * as "dangling" accounts that RECOVER can export.
 */
import { Effect, SubscriptionRef } from "effect"
import { Client } from "../Client.js"
import { UsageError } from "../errors.js"

export const delserver = Effect.fn("commands.delserver")(function*(input: { readonly name: string }) {
  const client = yield* Client
  const st = yield* SubscriptionRef.get(client.state)
  if (st.connection !== "disconnected" && st.server?.name === input.name) {
    return yield* new UsageError({ reason: `you are connected to ${input.name}: disconnect (DISCN) first` })
  }
  return yield* client.store.deleteServer(input.name)
})
