/** Unlocking a local account: bcrypt check, then decryption of the private key at rest. */
import { decryptPrivateKey, parsePrivateKey, verifyPassword } from "@gochat/crypto"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { AlreadyLoggedIn, CryptoFailure, LocalNotFound, WrongCredentials } from "../errors.js"
import type { LocalUserRecord, ServerRecord } from "../Store.js"
import { Store } from "../Store.js"
import { checkUsername, utf8Decode } from "./_shared.js"

/**
 * What REG and LOGIN both need before anything else: a connection, no one logged in on it, and a
 * valid username (normalised).
 */
export const loggedOutAs = (rawUsername: string) =>
  Effect.gen(function*() {
    const client = yield* Client
    const server = yield* client.server
    const current = yield* client.currentSession
    if (current !== undefined) return yield* new AlreadyLoggedIn({ username: current.account.username })
    const username = yield* checkUsername(rawUsername)
    return { client, server, username }
  })

export const unlock = (account: LocalUserRecord, password: string) =>
  Effect.gen(function*() {
    const ok = yield* verifyPassword(password, account.passwordHash).pipe(Effect.orElseSucceed(() => false))
    if (!ok) return yield* new WrongCredentials({ username: account.username })
    const pem = yield* decryptPrivateKey(account.privateKey, password).pipe(
      Effect.mapError(() => new WrongCredentials({ username: account.username }))
    )
    const key = parsePrivateKey(utf8Decode(pem))
    if (Either.isLeft(key)) {
      return yield* new CryptoFailure({ reason: `the stored private key of ${account.username} is damaged: ${key.left.reason}` })
    }
    return key.right
  })

export const findAccount = (server: ServerRecord, username: string) =>
  Effect.gen(function*() {
    const store = yield* Store
    const account = yield* store.getLocalUser(server.serverId, username)
    if (account === undefined) {
      return yield* new LocalNotFound({
        reason: `no local account ${username} for ${server.name} (create one with REG or IMPORT)`
      })
    }
    return account
  })
