/**
 * EXPORT: write the private key of a local account, unencrypted (PKCS#1 PEM), to
 * export/<username>.priv in the data dir with mode 0600. Asks for the account's password.
 */
import { privateKeyToPem } from "@gochat/crypto"
import { Effect } from "effect"
import * as path from "node:path"
import { ClientConfig } from "../Config.js"
import { findAccount, unlock } from "./_account.js"
import { targetServer, writePrivate } from "./_files.js"
import { checkUsername } from "./_shared.js"

/** What EXPORT checks before it needs the password: the server and the local account. */
export const exportCheck = (input: { readonly username: string; readonly server?: string }) =>
  Effect.gen(function*() {
    const server = yield* targetServer(input.server)
    const username = yield* checkUsername(input.username)
    const account = yield* findAccount(server, username)
    return { server, username, account }
  })

export const exportKey = Effect.fn("commands.export")(function*(
  input: { readonly username: string; readonly password: string; readonly server?: string }
) {
  const config = yield* ClientConfig
  const { account, username } = yield* exportCheck(input)
  const key = yield* unlock(account, input.password)
  const file = path.join(config.exportDir, `${username}.priv`)
  yield* writePrivate(file, privateKeyToPem(key))
  return { username, file }
})
