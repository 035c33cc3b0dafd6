/** VERBOSE: toggle (or set) packet dumps, delivered as PacketDump events. */
import { Effect, SubscriptionRef } from "effect"
import { Client } from "../Client.js"

export const verbose = Effect.fn("commands.verbose")(function*(input: { readonly on?: boolean } = {}) {
  const client = yield* Client
  const st = yield* SubscriptionRef.get(client.state)
  const on = input.on ?? !st.verbose
  yield* client.setVerbose(on)
  return { verbose: on }
})
