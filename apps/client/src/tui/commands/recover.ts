import { Effect } from "effect"
import { call, checkUsername, password } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const recover: SlashCommand = {
  name: "recover",
  args: [{ name: "username" }],
  flags: ["-cleanup"],
  summary: "export an account whose server was deleted",
  help:
    "For a local account left behind by a deleted server: asks for its password, writes its private key and\n" +
    "its conversations to export/. -cleanup then deletes the account from this computer.",
  run: (ctx, { positional, flags }) =>
    Effect.gen(function* () {
      const user = yield* checkUsername(positional[0])
      const pass = yield* password(ctx, user)
      const files = yield* ctx.busy(`recovering ${user}`, call(ctx.backend.recover(user, pass, flags.has("-cleanup"))))
      ctx.print(["data successfully recovered!", ...files.map((f) => `- ${f}`)].join("\n"))
    })
}
