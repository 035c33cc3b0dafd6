import { Effect } from "effect"
import { call, checkUsername, newPassword, requireRemote } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const importKey: SlashCommand = {
  name: "import",
  args: [{ name: "username" }, { name: "path" }],
  summary: "add a local account from a private key file",
  help:
    "Reads an RSA private key (PKCS#1 PEM) from import/<path> in the data folder, asks for a new password\n" +
    "twice and stores the key encrypted as a local account of the current server.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireRemote(ctx)
      const user = yield* checkUsername(positional[0])
      const pass = yield* newPassword(ctx)
      yield* ctx.busy(`importing ${user}`, call(ctx.backend.importKey(ctx.server.name, user, positional[1], pass)))
      ctx.print(`local user ${user} successfully added to the database`)
    })
}
