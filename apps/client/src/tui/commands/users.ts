import { Effect } from "effect"
import type { UsersScope } from "../backend.js"
import { call, fail, requireLoggedIn, requireRemote } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const users: SlashCommand = {
  name: "users",
  args: [
    { name: "remote|local", complete: ["remote", "local"] },
    { name: "all|online|server", complete: ["all", "online", "server"] }
  ],
  flags: ["-perms"],
  summary: "list users",
  help:
    "/users remote all|online [-perms]  accounts on the server (logged in), with permission levels if -perms\n" +
    "/users local all                  every account stored on this computer (also from the Local server)\n" +
    "/users local server               the local accounts of the current server",
  run: (ctx, { positional, flags }) =>
    Effect.gen(function* () {
      const where = positional[0].toLowerCase()
      const which = positional[1].toLowerCase()
      const perms = flags.has("-perms")
      let scope: UsersScope
      if (where === "remote" && (which === "all" || which === "online")) {
        yield* requireLoggedIn(ctx)
        scope = which === "all" ? "remote-all" : "remote-online"
      } else if (where === "local" && which === "all") scope = "local-all"
      else if (where === "local" && which === "server") {
        yield* requireRemote(ctx)
        scope = "local-server"
      } else return yield* fail("unknown users option provided: use remote all|online or local all|server")
      const lines = yield* call(ctx.backend.listUsers(ctx.server.name, scope, perms))
      if (lines.length === 0) return ctx.print("No users to be shown.")
      ctx.print([`Showing ${where} ${which} users${perms && where === "remote" ? " with permissions" : ""}:`, ...lines.map((l) => `- ${l}`)].join("\n"))
    })
}
