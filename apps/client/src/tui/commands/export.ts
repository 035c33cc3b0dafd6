import { Effect } from "effect"
import { call, checkUsername, password, requireRemote } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const exportKey: SlashCommand = {
  name: "export",
  args: [{ name: "username", complete: "username" }],
  summary: "write a local account's private key to a file",
  help: "Asks for the account's password and writes its private key (PKCS#1 PEM, readable only by you) to export/<username>.priv.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireRemote(ctx)
      const user = yield* checkUsername(positional[0])
      const pass = yield* password(ctx, user)
      const path = yield* ctx.busy(`exporting ${user}`, call(ctx.backend.exportKey(ctx.server.name, user, pass)))
      ctx.print(`file successfully written to ${path}`)
    })
}
