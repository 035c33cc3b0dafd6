/**
 * IMPORT: create a local account from a private key file (PKCS#1 PEM, as EXPORT writes it)
 * for the current server (or a named one), protected with a new password. The key must
 * already be registered on the server under that username.
 */
import { encryptPrivateKey, fingerprint, hashPassword, parsePrivateKey, privateKeyToPem, publicKeyOf } from "@gochat/crypto"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { ClientConfig } from "../Config.js"
import { CryptoFailure, LocalExists } from "../errors.js"
import { readText, resolveIn, targetServer } from "./_files.js"
import { checkUsername, requireNonEmpty, utf8Encode } from "./_shared.js"

export interface ImportInput {
  readonly username: string
  /** File name inside the data dir's import/ folder, or an absolute path. */
  readonly file: string
  readonly password: string
  readonly server?: string
}

/**
 * What IMPORT checks before it needs a password: the server, a free username, and a readable
 * private key file. Front ends run it before asking for the new password.
 */
export const importCheck = (input: Omit<ImportInput, "password">) =>
  Effect.gen(function*() {
    const client = yield* Client
    const config = yield* ClientConfig
    const server = yield* targetServer(input.server)
    const username = yield* checkUsername(input.username)
    if ((yield* client.store.getLocalUser(server.serverId, username)) !== undefined) {
      return yield* new LocalExists({ reason: `a local account ${username} already exists for ${server.name}` })
    }
    const file = resolveIn(config.importDir, input.file)
    const pem = yield* readText(file)
    const key = parsePrivateKey(pem)
    if (Either.isLeft(key)) return yield* new CryptoFailure({ reason: `${file} is not a private key: ${key.left.reason}` })
    return { server, username, file, key: key.right }
  })

export const importKey = Effect.fn("commands.import")(function*(input: ImportInput) {
  const client = yield* Client
  const { file, key, server, username } = yield* importCheck(input)
  yield* requireNonEmpty("the password", input.password)
  const passwordHash = yield* hashPassword(input.password)
  const blob = yield* encryptPrivateKey(utf8Encode(privateKeyToPem(key)), input.password)
  yield* client.store.addLocalUser({ server, username, passwordHash, privateKey: blob })
  return { username, server: server.name, file, fingerprint: fingerprint(publicKeyOf(key)) }
})
