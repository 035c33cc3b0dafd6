import { Effect } from "effect"
import { call, fail, requireRemote } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const disconnect: SlashCommand = {
  name: "disconnect",
  args: [],
  summary: "disconnect from the current server",
  help: "Closes the connection to the current server; its conversation buffers close until the next login.",
  run: (ctx) =>
    Effect.gen(function* () {
      yield* requireRemote(ctx)
      if (!ctx.server.connected) return yield* fail("not connected to a server")
      yield* call(ctx.backend.disconnect(ctx.server.name))
      ctx.dispatch({ _tag: "Disconnected", server: ctx.server.name, reason: "", stamp: ctx.now() })
    })
}
