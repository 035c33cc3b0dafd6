import { Effect } from "effect"
import { call, checkUsername, fail, password, requireConnected } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const login: SlashCommand = {
  name: "login",
  args: [{ name: "username", complete: "username" }],
  summary: "log in with a local account",
  help:
    "Asks for the account's password, proves the key to the server, then fetches the online users,\n" +
    "the messages received while away, subscribes to every hook and reopens your conversations.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireConnected(ctx)
      if (ctx.server.user !== null) return yield* fail("you are already logged in")
      const user = yield* checkUsername(positional[0])
      const pass = yield* password(ctx, user)
      const { permission } = yield* ctx.busy(`logging in as ${user}`, call(ctx.backend.login(ctx.server.name, user, pass)))
      ctx.dispatch({ _tag: "LoggedIn", server: ctx.server.name, user, permission, stamp: ctx.now() })
      yield* ctx.afterLogin(ctx.server.name)
    })
}
