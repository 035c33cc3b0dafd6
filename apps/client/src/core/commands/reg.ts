/**
 * REG: create an account on the server and the matching local account. A new RSA-4096 key
 * pair is generated unless one is given; the private key is stored encrypted with the password.
 */
import {
  encryptPrivateKey,
  fingerprint,
  generateKeyPair,
  hashPassword,
  parsePrivateKey,
  privateKeyToPem,
  publicKeyOf,
  publicKeyToPem,
  type RsaPrivateKey
} from "@gochat/crypto"
import { Action, ErrorCode } from "@gochat/protocol"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { CryptoFailure, LocalExists, ServerError } from "../errors.js"
import { loggedOutAs } from "./_account.js"
import { requireNonEmpty, utf8Encode } from "./_shared.js"

export interface RegInput {
  readonly username: string
  readonly password: string
  /** Register this key instead of generating one. */
  readonly privateKey?: RsaPrivateKey
}

/**
 * What REG checks before it needs a password: connected, not logged in, a valid username
 * without a local account yet. Front ends run it before asking for the password.
 */
export const regCheck = (rawUsername: string) =>
  Effect.gen(function*() {
    const { client, server, username } = yield* loggedOutAs(rawUsername)
    if ((yield* client.store.getLocalUser(server.serverId, username)) !== undefined) {
      return yield* new LocalExists({ reason: `a local account ${username} already exists for ${server.name}` })
    }
    return { server, username }
  })

export const reg = Effect.fn("commands.reg")(function*(input: RegInput) {
  const client = yield* Client
  const { server, username } = yield* regCheck(input.username)
  yield* requireNonEmpty("the password", input.password)
  if (input.privateKey !== undefined) {
    // LOGIN and IMPORT only accept RSA-4096 keys: refuse others before the server has them
    const usable = parsePrivateKey(privateKeyToPem(input.privateKey))
    if (Either.isLeft(usable)) return yield* new CryptoFailure({ reason: `this key cannot be used: ${usable.left.reason}` })
  }
  const privateKey = input.privateKey ??
    (yield* generateKeyPair().pipe(
      Effect.map((k) => k.privateKey),
      Effect.mapError((e) => new CryptoFailure({ reason: `key generation failed: ${e.reason}` }))
    ))
  const publicKey = publicKeyOf(privateKey)
  const passwordHash = yield* hashPassword(input.password)
  yield* client.connection.request({ action: Action.REG, args: [username, publicKeyToPem(publicKey)] }).pipe(
    Effect.catchTag("ServerError", (e) =>
      Effect.fail(
        e.code === ErrorCode.EXISTS
          ? new ServerError({ action: e.action, code: e.code, detail: `the name ${username} is taken on this server (or its key is already registered): choose another name` })
          : e.code === ErrorCode.DEREG
          ? new ServerError({ action: e.action, code: e.code, detail: `the name ${username} was deregistered and can never be used again: choose another name` })
          : e
      ))
  )
  const blob = yield* encryptPrivateKey(utf8Encode(privateKeyToPem(privateKey)), input.password)
  yield* client.store.addLocalUser({ server, username, passwordHash, privateKey: blob })
  return { username, fingerprint: fingerprint(publicKey) }
})
