/**
 * LOGIN challenges and reusable tokens.
 *
 * - A challenge belongs to one connection and one name (so another connection's LOGIN can neither replace
 *   nor cancel it); it expires after `loginMs`, is consumed by the first VERIF for it, and is cancelled by
 *   LOGOUT or the connection's end.
 * - A token is issued on a successful VERIF over TLS (it is the challenge text, as in the original). It is
 *   bound to that session while it lasts, then valid for `tokenMs` after the session ends; it is never
 *   renewed, and dropped on kick, deregistration, or after too many wrong guesses.
 */
import { Effect, FiberMap, Schedule } from "effect"
import { constantTimeEqual } from "@gochat/crypto"
import { ServerConfig } from "../config/ServerConfig.js"

interface Token {
  readonly text: string
  /** the connection whose session created it, while that session lasts */
  sessionConn: number | undefined
  expiresAt: number
  failures: number
}

export type TokenCheck = "ok" | "not-found" | "in-use" | "expired" | "mismatch"

/** Challenges one connection can have pending at once (for different names); the oldest is dropped. */
export const MAX_PENDING_PER_CONNECTION = 8

/** Wrong token guesses after which the token is dropped. */
export const MAX_TOKEN_FAILURES = 5

const pendingKey = (connId: number, name: string) => `${connId}/${name}`

export class Verifications extends Effect.Service<Verifications>()("server/Verifications", {
  scoped: Effect.gen(function*() {
    const config = yield* ServerConfig
    const { loginMs, tokenMs } = config.timeouts
    const pending = new Map<string, string>()
    const byConnection = new Map<number, Set<string>>()
    const tokens = new Map<string, Token>()
    const timers = yield* FiberMap.make<string>()

    const forget = (key: string, connId: number) => {
      pending.delete(key)
      const keys = byConnection.get(connId)
      if (keys) {
        keys.delete(key)
        if (keys.size === 0) byConnection.delete(connId)
      }
    }

    // expired tokens are dropped on use; this sweep bounds the memory of never-used ones
    yield* Effect.forkScoped(Effect.repeat(
      Effect.sync(() => {
        const now = Date.now()
        for (const [name, token] of tokens) {
          if (token.sessionConn === undefined && token.expiresAt <= now) tokens.delete(name)
        }
      }),
      Schedule.spaced(Math.max(1000, Math.min(tokenMs, 60_000)))
    ))

    /** Records a challenge for (connection, name), replacing this connection's previous one for the name. */
    const challenge = Effect.fn("Verifications.challenge")(function*(connId: number, name: string, text: string) {
      const key = pendingKey(connId, name)
      pending.set(key, text)
      let keys = byConnection.get(connId)
      if (!keys) byConnection.set(connId, keys = new Set())
      keys.delete(key)
      keys.add(key)
      // bounded per connection: LOGIN for ever more names only replaces the oldest challenges
      while (keys.size > MAX_PENDING_PER_CONNECTION) {
        const oldest = keys.values().next().value!
        forget(oldest, connId)
        yield* FiberMap.remove(timers, oldest)
      }
      yield* FiberMap.run(timers, key, Effect.sleep(loginMs).pipe(Effect.andThen(Effect.sync(() => forget(key, connId)))))
    })

    /** Removes and returns the challenge text for (connection, name), if one is pending. */
    const take = Effect.fn("Verifications.take")(function*(connId: number, name: string) {
      const key = pendingKey(connId, name)
      const text = pending.get(key)
      if (text === undefined) return undefined
      forget(key, connId)
      yield* FiberMap.remove(timers, key)
      return text
    })

    const hasPending = (connId: number): boolean => byConnection.has(connId)

    /** Cancels every challenge of a connection (LOGOUT, disconnect). */
    const cancelConnection = Effect.fn("Verifications.cancelConnection")(function*(connId: number) {
      const keys = byConnection.get(connId)
      if (!keys) return
      byConnection.delete(connId)
      for (const key of keys) {
        pending.delete(key)
        yield* FiberMap.remove(timers, key)
      }
    })

    /** A token for `name`, bound to the session on `connId` until it ends. */
    const issueToken = (name: string, connId: number, text: string): void => {
      tokens.set(name, { text, sessionConn: connId, expiresAt: Number.POSITIVE_INFINITY, failures: 0 })
    }

    /** The session on `connId` ended: its token (if any) now expires after `tokenMs`. */
    const sessionEnded = (name: string, connId: number): void => {
      const token = tokens.get(name)
      if (token && token.sessionConn === connId) {
        token.sessionConn = undefined
        token.expiresAt = Date.now() + tokenMs
      }
    }

    const dropToken = (name: string): void => {
      tokens.delete(name)
    }

    const checkToken = (name: string, text: string): TokenCheck => {
      const token = tokens.get(name)
      if (token === undefined) return "not-found"
      if (token.sessionConn !== undefined) return "in-use"
      if (token.expiresAt <= Date.now()) {
        tokens.delete(name)
        return "expired"
      }
      if (!constantTimeEqual(token.text, text)) {
        token.failures += 1
        if (token.failures >= MAX_TOKEN_FAILURES) tokens.delete(name)
        return "mismatch"
      }
      token.failures = 0
      return "ok"
    }

    return { challenge, take, hasPending, cancelConnection, issueToken, sessionEnded, dropToken, checkToken } as const
  })
}) {}
