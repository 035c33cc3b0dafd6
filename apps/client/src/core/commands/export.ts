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

export const exportKey = Effect.fn("commands.export")(function*(
  input: { readonly username: string; readonly password: string; readonly server?: string }
) {
  const config = yield* ClientConfig
  const server = yield* targetServer(input.server)
  const username = yield* checkUsername(input.username)
  const account = yield* findAccount(server, username)
  const key = yield* unlock(account, input.password)
  const file = path.join(config.exportDir, `${username}.priv`)
  yield* writePrivate(file, privateKeyToPem(key))
  return { username, file }
})
