/** PERMS: a user's permission level on the server (0 user, 1 admin, 2 owner). */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { requestUser } from "./_contacts.js"
import { checkUsername } from "./_shared.js"

export const perms = Effect.fn("commands.perms")(function*(input: { readonly username: string }) {
  const client = yield* Client
  const session = yield* client.session
  const username = yield* checkUsername(input.username)
  const reply = yield* requestUser(username)
  if (username === session.account.username) yield* client.setPermission(reply.permission)
  return { username, permission: reply.permission }
})
