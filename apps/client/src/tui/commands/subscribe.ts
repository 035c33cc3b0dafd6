import { Effect } from "effect"
import { HOOK_NAMES, type HookName } from "../backend.js"
import { call, fail, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const subscribe: SlashCommand = {
  name: "subscribe",
  args: [{ name: "hook", complete: HOOK_NAMES }],
  summary: "receive a kind of server event",
  help: `Subscribes to a hook: ${HOOK_NAMES.join(", ")}. Login already subscribes to all of them.`,
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const hook = positional[0].toLowerCase() as HookName
      if (!HOOK_NAMES.includes(hook)) return yield* fail(`invalid hook provided: use ${HOOK_NAMES.join(", ")}`)
      yield* call(ctx.backend.subscribe(ctx.server.name, hook))
      ctx.print(`successfully subscribed to ${hook}!`)
    })
}
