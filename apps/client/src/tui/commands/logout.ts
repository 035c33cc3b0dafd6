import { Effect } from "effect"
import { call, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const logout: SlashCommand = {
  name: "logout",
  args: [],
  summary: "log out of the current server",
  help: "Logs out; conversation buffers close and come back on the next login.",
  run: (ctx) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      yield* call(ctx.backend.logout(ctx.server.name))
      ctx.dispatch({ _tag: "LoggedOut", server: ctx.server.name, stamp: ctx.now() })
    })
}
