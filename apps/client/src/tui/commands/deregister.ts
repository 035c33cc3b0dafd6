import { Effect } from "effect"
import { call, fail, password, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const deregister: SlashCommand = {
  name: "deregister",
  args: [{ name: "username", complete: "username" }],
  summary: "delete the logged-in account from the server",
  help:
    "Deletes the account you are logged in with, on the server and locally, after asking for its password.\n" +
    "The username must be that account's (a guard against deleting the wrong one).",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const user = ctx.server.user ?? ""
      if (positional[0].toLowerCase() !== user) return yield* fail(`you are logged in as ${user}, not ${positional[0]}`)
      const pass = yield* password(ctx, user)
      if (!(yield* ctx.confirm(`Do you want to permanently\ndelete the account ${user}?`, false))) return yield* fail("deregistration cancelled")
      yield* ctx.busy(`deregistering ${user}`, call(ctx.backend.deregister(ctx.server.name, pass)))
      ctx.dispatch({ _tag: "LoggedOut", server: ctx.server.name, stamp: ctx.now() })
      ctx.print(`user ${user} deregistered correctly`)
    })
}
