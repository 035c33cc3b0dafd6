import { Effect } from "effect"
import { HOOK_NAMES, type HookName } from "../backend.js"
import { call, fail, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const unsubscribe: SlashCommand = {
  name: "unsubscribe",
  args: [{ name: "hook", complete: HOOK_NAMES }],
  summary: "stop receiving a kind of server event",
  help: `Unsubscribes from a hook: ${HOOK_NAMES.join(", ")}.`,
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const hook = positional[0].toLowerCase() as HookName
      if (!HOOK_NAMES.includes(hook)) return yield* fail(`invalid hook provided: use ${HOOK_NAMES.join(", ")}`)
      yield* call(ctx.backend.unsubscribe(ctx.server.name, hook))
      ctx.print(`successfully unsubscribed from ${hook}!`)
    })
}
