import { Effect } from "effect"
import { call, checkUsername, newPassword, requireConnected } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const register: SlashCommand = {
  name: "register",
  args: [{ name: "username" }],
  summary: "create an account on the current server",
  help:
    "Asks for a password twice, generates an RSA-4096 key pair, registers the username with its public key\n" +
    "and stores the private key encrypted with the password. Accounts belong to one server.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireConnected(ctx)
      const user = yield* checkUsername(positional[0])
      const pass = yield* newPassword(ctx)
      yield* ctx.busy(`generating a key pair and registering ${user}`, call(ctx.backend.register(ctx.server.name, user, pass)))
      ctx.print(`local user ${user} successfully registered! Use /login ${user} to log in.`)
    })
}
