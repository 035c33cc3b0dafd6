/**
 * LOGIN: unlock the local account, then authenticate. On TLS connections a reusable token
 * from an earlier login of this process is tried first (kept across reconnects); otherwise
 * LOGIN → VERIF challenge → VERIF answer → OK. Afterwards: the permission level (REQ self),
 * catch-up of offline messages (RECIV) and subscription to every hook (SUB all).
 */
import { CHALLENGE_LENGTH, decrypt, fingerprint, isChallengeShaped, publicKeyOf } from "@gochat/crypto"
import { Action, decodeServerMessage, ErrorCode, HookType } from "@gochat/protocol"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { CryptoFailure, ProtocolViolation, ServerError, UntrustworthyServer } from "../errors.js"
import { findAccount, loggedOutAs, unlock } from "./_account.js"
import { utf8Decode } from "./_shared.js"

export interface LoginInput {
  readonly username: string
  readonly password: string
  /** Fetch offline messages after login. Default true. */
  readonly catchUp?: boolean
  /** Subscribe to every hook after login. Default true. */
  readonly subscribe?: boolean
}

export interface LoginResult {
  readonly username: string
  /** Permission level of the account (0 user, 1 admin, 2 owner), from the REQ-self after login. */
  readonly permission: number
  readonly usedToken: boolean
  /** Whether the server had offline messages (they arrive as MessageReceived events). */
  readonly pendingMessages: boolean
}

/**
 * What LOGIN checks before it needs the password: connected, not logged in, a local account
 * with that name for this server. Front ends run it before asking for the password.
 */
export const loginCheck = (rawUsername: string) =>
  Effect.gen(function*() {
    const { server, username } = yield* loggedOutAs(rawUsername)
    const account = yield* findAccount(server, username)
    return { server, username, account }
  })

export const login = Effect.fn("commands.login")(function*(input: LoginInput) {
  const client = yield* Client
  const { account, server, username } = yield* loginCheck(input.username)
  const privateKey = yield* unlock(account, input.password)
  const connection = client.connection

  let usedToken = false
  const token = server.tls ? yield* client.getToken(server.serverId, username) : undefined
  if (token !== undefined) {
    usedToken = yield* connection.request({ action: Action.LOGIN, args: [username, token] }).pipe(
      Effect.as(true),
      Effect.catchTag("ServerError", (e) =>
        Effect.zipRight(
          client.setToken(server.serverId, username, undefined),
          Effect.as(client.notice("info", `the reusable token was refused (${e.message}); logging in normally`), false)
        ))
    )
  }
  if (!usedToken) {
    const reply = yield* connection.request({ action: Action.LOGIN, args: [username] }, { expect: [Action.VERIF] }).pipe(
      Effect.catchTag("ServerError", (e) =>
        Effect.fail(
          e.code === ErrorCode.DUPSESS
            ? new ServerError({ action: e.action, code: e.code, detail: `${username} is already logged in from another client` })
            : e.code === ErrorCode.NOTFOUND
            ? new ServerError({ action: e.action, code: e.code, detail: `there is no user ${username} on ${server.name} (deregistered?)` })
            : e
        ))
    )
    const challenge = decodeServerMessage(reply)
    if (Either.isLeft(challenge) || challenge.right._tag !== "VerifChallenge") {
      return yield* new ProtocolViolation({ reason: "malformed VERIF challenge" })
    }
    const answer = decrypt(privateKey, challenge.right.ciphertext)
    if (Either.isLeft(answer)) {
      return yield* new CryptoFailure({
        reason: `could not decrypt the server's challenge: the key of ${username} is not the one registered on ${server.name}`
      })
    }
    // Only a real challenge is answered: anything else (a captured message sent back as a "challenge")
    // would make this client a decryption oracle for the server or whoever is on the path.
    if (!isChallengeShaped(answer.right)) {
      yield* connection.disconnect("the server sent a login challenge that is not one").pipe(Effect.ignore)
      return yield* new UntrustworthyServer({
        server: server.name,
        reason: `its login challenge decrypted to something other than a gochat challenge (${CHALLENGE_LENGTH} letters and symbols), ` +
          `as if it wanted your client to decrypt a message for it; nothing was answered and you are not logged in`
      })
    }
    const text = utf8Decode(answer.right)
    yield* connection.request({ action: Action.VERIF, args: [username, answer.right] })
    if (server.tls) yield* client.setToken(server.serverId, username, text)
  }

  yield* client.loggedIn({ server, account, privateKey, fingerprint: fingerprint(publicKeyOf(privateKey)) }, undefined)

  const permission = yield* connection.request({ action: Action.REQ, args: [username] }, { expect: [Action.REQ] }).pipe(
    Effect.map((p) => {
      const d = decodeServerMessage(p)
      return Either.isRight(d) && d.right._tag === "ReqReply" ? d.right.permission : undefined
    }),
    Effect.catchTag("ServerError", () => Effect.succeed(undefined))
  )
  // A server that refuses to describe the account that just logged in is not expected; the
  // level then defaults to 0 (user) and a warning says so.
  if (permission === undefined) {
    yield* client.notice("warning", "the server did not tell the permission level of this account; assuming 0 (user)")
  }
  yield* client.setPermission(permission ?? 0)

  // The login itself succeeded: problems with the follow-ups are reported, not failed.
  let pendingMessages = false
  if (input.catchUp !== false) {
    pendingMessages = yield* connection.request({ action: Action.RECIV }).pipe(
      Effect.as(true),
      Effect.catchAll((e) =>
        e._tag === "ServerError" && e.code === ErrorCode.EMPTY
          ? Effect.succeed(false)
          : e._tag === "ServerError" || e._tag === "RequestTimeout"
          ? Effect.as(client.notice("warning", `could not fetch offline messages: ${e.message}`), false)
          : Effect.fail(e)
      )
    )
  }
  if (input.subscribe !== false) {
    yield* connection.request({ action: Action.SUB, info: HookType.ALL }).pipe(
      Effect.catchTags({
        ServerError: (e) => client.notice("warning", `could not subscribe to server events: ${e.message}`),
        RequestTimeout: (e) => client.notice("warning", `could not subscribe to server events: ${e.message}`)
      })
    )
  }
  return { username, permission: permission ?? 0, usedToken, pendingMessages } satisfies LoginResult
})
