/**
 * What every client action module shares: the services it runs on, the lookups several actions make,
 * and the shape of an action (its gate and its run). `Handlers` builds one `ActionContext` per server and
 * dispatches each packet through the table of action modules (one file per protocol action, named after
 * it, so a reader holds `login.ts` against the LOGIN section of docs/SPECIFICATION.md).
 */
import { createPublicKey, type KeyObject } from "node:crypto"
import type { SqlError } from "@effect/sql/SqlError"
import {
  type ClientMessage,
  decodeClientMessage,
  ErrorCode,
  isValidUsername,
  normalizeUsername,
  type Packet,
  type ProtocolError
} from "@gochat/protocol"
import { Effect, Either, Option } from "effect"
import { ServerConfig } from "../../config/ServerConfig.js"
import { Limits } from "../../hubs/Limits.js"
import { LocalEndpoints } from "../../hubs/LocalEndpoints.js"
import { Motd } from "../../hubs/Motd.js"
import { OfflineMessages } from "../../hubs/OfflineMessages.js"
import { type OnlineUser, Presence } from "../../hubs/Presence.js"
import { Sessions } from "../../hubs/Sessions.js"
import { Shutdown } from "../../hubs/Shutdown.js"
import { Tokens } from "../../hubs/Tokens.js"
import { Verifications } from "../../hubs/Verifications.js"
import { type CachedUser, UserCache } from "../../storage/UserCache.js"
import { type UserRow, UsersRepo } from "../../storage/UsersRepo.js"
import type { Connection } from "../Connection.js"
import { ascii } from "../frames.js"
import { type Refusal, refuse } from "../Refusal.js"

/** What an action's run may fail with: a refusal (ERR with its code) or a database failure (ERR_SERVER). */
export type ActionEffect = Effect.Effect<void, Refusal | SqlError>

/**
 * A client action: the state its gate requires, and its run. The gate is checked once, in `Handlers`, so
 * a run of a `session` action receives the logged-in user (no `user!`), and an `anonymous` one knows
 * nobody is logged in on the connection.
 */
export type ActionHandler =
  | {
    /** only before login (REG, LOGIN, VERIF): ERR_INVALID when logged in */
    readonly gate: "anonymous"
    readonly run: (conn: Connection, packet: Packet) => ActionEffect
  }
  | {
    /** only when logged in: ERR_NOSESS otherwise */
    readonly gate: "session"
    readonly run: (conn: Connection, packet: Packet, user: OnlineUser) => ActionEffect
  }
  | {
    /** in any state: the action checks what it needs itself (LOGOUT, KEEP, server-only actions) */
    readonly gate: "any"
    readonly run: (conn: Connection, packet: Packet, user: OnlineUser | undefined) => ActionEffect
  }

/** The request's username, lowercased; undefined if no account can have it. */
export const accountName = (raw: string): string | undefined => {
  const name = normalizeUsername(raw)
  return isValidUsername(name) ? name : undefined
}

export const fromProtocol = (e: ProtocolError): Refusal => refuse(e.code, e.message)

type Tag = ClientMessage["_tag"]

/** The packet decoded as the typed message of `tag` (its action's Schema), or the refusal the original sends. */
export const decodeAs = <T extends Tag>(packet: Packet, tag: T): Effect.Effect<Extract<ClientMessage, { _tag: T }>, Refusal> => {
  const decoded = decodeClientMessage(packet)
  if (Either.isLeft(decoded)) return Effect.fail(fromProtocol(decoded.left))
  const m = decoded.right
  return m._tag === tag
    ? Effect.succeed(m as Extract<ClientMessage, { _tag: T }>)
    : Effect.fail(refuse(ErrorCode.INVALID, `unexpected ${m._tag}`))
}

const keyFromDer = (der: Uint8Array): KeyObject | undefined => {
  try {
    return createPublicKey({ key: Buffer.from(der), format: "der", type: "spki" })
  } catch {
    return undefined
  }
}

export const makeActionContext = Effect.gen(function*() {
  const config = yield* ServerConfig
  const users = yield* UsersRepo
  const local = yield* LocalEndpoints
  const presence = yield* Presence
  const sessions = yield* Sessions
  const verifications = yield* Verifications
  const tokens = yield* Tokens
  const offline = yield* OfflineMessages
  const userCache = yield* UserCache
  const motd = yield* Motd
  const shutdown = yield* Shutdown
  const guard = yield* Limits

  /** A user by name with a usable key: ERR_NOTFOUND / ERR_DEREG / ERR_CORRUPTED otherwise. */
  const loadUser = (name: string | undefined) =>
    Effect.gen(function*() {
      if (name === undefined) return yield* refuse(ErrorCode.NOTFOUND, "no such user")
      const row = yield* users.findByName(name)
      if (Option.isNone(row)) return yield* refuse(ErrorCode.NOTFOUND, `no user ${name}`)
      const user = row.value
      if (user.pubkey === undefined) {
        userCache.invalidate(name)
        return yield* refuse(ErrorCode.DEREG, `${name} is deregistered`)
      }
      // the parsed key is cached while the stored DER is unchanged (UserCache)
      const key = userCache.keyFor(user.username, user.pubkey) ?? keyFromDer(user.pubkey)
      if (key === undefined || user.permission < 0 || user.permission > 2) {
        userCache.invalidate(name)
        return yield* refuse(ErrorCode.CORRUPTED, `stored data of ${name} is unusable`)
      }
      const entry: CachedUser = { id: user.id, username: user.username, der: user.pubkey, key }
      userCache.put(entry)
      return { row: user, key, entry }
    })

  /** As the original's login gate: a stored user that cannot be used is ERR_LOGIN. */
  const loadForLogin = (name: string | undefined) =>
    Effect.catchIf(
      loadUser(name),
      (e) => e._tag === "SqlError" || e.code === ErrorCode.CORRUPTED,
      (e) =>
        Effect.zipRight(
          e._tag === "SqlError" ? Effect.logError("database error", e.message, e.cause) : Effect.void,
          refuse(ErrorCode.LOGIN, "unusable account")
        )
    )

  const onlineUser = (row: UserRow, key: KeyObject): OnlineUser => {
    const now = Date.now()
    return {
      id: row.id,
      name: row.username,
      nameBytes: ascii(row.username),
      permission: row.permission,
      publicKey: key,
      msgBucket: guard.msgBuckets.get(row.id, now),
      offlineBucket: guard.offlineBuckets.get(row.id, now)
    }
  }

  /** ERR_DUPSESS (and HOOK_DUPSESS to the holder) when `name` is logged in on another connection. */
  const refuseDupSess = (conn: Connection, name: string) =>
    Effect.gen(function*() {
      if (presence.locate(name) !== undefined && local.find(name) !== conn) {
        presence.publish({ _tag: "DupSess", name, ip: conn.ip })
        return yield* refuse(ErrorCode.DUPSESS, `${name} is online on another connection`)
      }
    })

  /**
   * After an account changed in the database: every instance forgets its cached row and parsed key, and
   * the user's session (wherever it is) ends if `endSession` gives a reason.
   */
  const accountChanged = (name: string, endSession?: string) =>
    Effect.gen(function*() {
      yield* presence.command({ _tag: "AccountChanged", name })
      if (endSession !== undefined) yield* presence.command({ _tag: "EndSession", name, reason: endSession })
    })

  return {
    config,
    users,
    local,
    presence,
    sessions,
    verifications,
    tokens,
    offline,
    userCache,
    motd,
    shutdown,
    guard,
    loadUser,
    loadForLogin,
    onlineUser,
    refuseDupSess,
    accountChanged
  } as const
})

export type ActionContext = Effect.Effect.Success<typeof makeActionContext>

/** A usable account as `loadUser` read it, with the cache entry it made (still current while cached). */
export type LoginAccount = Effect.Effect.Success<ReturnType<ActionContext["loadUser"]>>
