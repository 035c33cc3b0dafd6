import { Effect } from "effect"
import { call, checkUsername, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const trust: SlashCommand = {
  name: "trust",
  args: [{ name: "username", complete: "username" }],
  summary: "accept a contact's new key",
  help:
    "When the server offers a different key for a contact than the one pinned on first contact, messages keep\n" +
    "using the pinned key and a warning shows. Compare fingerprints out of band (/fingerprint), then /trust.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const user = yield* checkUsername(positional[0])
      const fingerprint = yield* call(ctx.backend.trust(ctx.server.name, user))
      ctx.dispatch({ _tag: "KeyTrusted", server: ctx.server.name, user })
      ctx.print(`now trusting the key of ${user}\nfingerprint: ${fingerprint}`)
    })
}
