import { Effect } from "effect"
import { call, checkUsername, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const fingerprint: SlashCommand = {
  name: "fingerprint",
  args: [{ name: "username", optional: true, complete: "username" }],
  summary: "show the fingerprint of your key or a contact's",
  help: "Without an argument shows your own key's fingerprint; with a username, the pinned key of that contact.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const user = positional[0] === undefined ? undefined : yield* checkUsername(positional[0])
      const fp = yield* call(ctx.backend.fingerprint(ctx.server.name, user))
      ctx.print(user === undefined ? `your key (${ctx.server.user}): ${fp}` : `key of ${user}: ${fp}`)
      const change = ctx.buffer.name === user ? ctx.buffer.keyChange : null
      if (change !== null) ctx.print(`pinned: ${change.pinned}\noffered now: ${change.offered}`)
    })
}
