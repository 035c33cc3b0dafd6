/** Preconditions and conversions shared by the slash commands. */
import { Effect } from "effect"
import type { BackendError } from "../backend.js"
import { CommandFailure, type CommandContext } from "./types.js"

export const fail = (message: string) => Effect.fail(new CommandFailure({ message }))

/** A backend failure becomes the command's failure, with the same readable text. */
export const call = <A>(effect: Effect.Effect<A, BackendError>): Effect.Effect<A, CommandFailure> =>
  Effect.mapError(effect, (e) => new CommandFailure({ message: e.message }))

export const requireRemote = (ctx: CommandContext) =>
  ctx.server.local ? fail("performing action on local server") : Effect.void

export const requireConnected = (ctx: CommandContext) =>
  Effect.zipRight(
    requireRemote(ctx),
    ctx.server.connected ? Effect.void : fail("connection to the server is not established")
  )

export const requireLoggedIn = (ctx: CommandContext) =>
  Effect.zipRight(requireConnected(ctx), ctx.server.user !== null ? Effect.void : fail("you are not logged in"))

export const USERNAME = /^[0-9a-z]{1,32}$/

/** Lowercases and checks a username the way the server will (1-32 of `0-9a-z`). */
export const checkUsername = (raw: string) => {
  const name = raw.toLowerCase()
  return USERNAME.test(name) ? Effect.succeed(name) : fail(`invalid username ${raw}: use 1 to 32 letters or digits`)
}

/** Asks for a new password twice. */
export const newPassword = (ctx: CommandContext) =>
  Effect.gen(function* () {
    const first = yield* ctx.prompt("Enter a password...", true)
    if (first === "") return yield* fail("the password cannot be empty")
    const second = yield* ctx.prompt("Repeat your password...", true)
    if (first !== second) return yield* fail("passwords do not match")
    return first
  })

export const password = (ctx: CommandContext, user: string) => ctx.prompt(`Enter the password of ${user}...`, true)
