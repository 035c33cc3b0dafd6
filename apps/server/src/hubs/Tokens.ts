/**
 * Reusable TLS tokens (LOGIN with a token instead of a challenge), stored as SHA-256 digests, never as
 * the token itself: a token is issued on a successful VERIF over TLS (it is the challenge text, as in the
 * original), bound to that session while it lasts, then valid for `tokenMs` after the session ends; never
 * renewed; dropped on kick, deregistration, or after `MAX_TOKEN_FAILURES` wrong guesses.
 *
 * Two layers on one tag, chosen by `Server.ts` with `Presence`: `Tokens.Memory` (one instance) and the
 * Redis one of a clustered service (`cluster/RedisTokens.ts`), where a token issued by one instance works
 * on every other (a reconnection through the load balancer lands anywhere).
 */
import { createHash } from "node:crypto"
import { constantTimeEqual } from "@gochat/crypto"
import { Context, Effect, Layer, Schedule } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"

export type TokenCheck = "ok" | "not-found" | "in-use" | "expired" | "mismatch"

/** Wrong token guesses after which the token is dropped. */
export const MAX_TOKEN_FAILURES = 5

/** What is stored of a token. */
export const tokenDigest = (text: string): string => createHash("sha256").update(text, "latin1").digest("hex")

export interface TokensApi {
  /** A token for `name`, bound to the session on connection `connId` (of this instance) until it ends. */
  readonly issue: (name: string, connId: number, text: string) => Effect.Effect<void>
  /** The session on `connId` ended: its token (if any) now expires after `tokenMs`. */
  readonly sessionEnded: (name: string, connId: number) => Effect.Effect<void>
  readonly drop: (name: string) => Effect.Effect<void>
  readonly check: (name: string, text: string) => Effect.Effect<TokenCheck>
}

interface Token {
  readonly digest: string
  /** the connection whose session created it, while that session lasts */
  sessionConn: number | undefined
  expiresAt: number
  failures: number
}

export class Tokens extends Context.Tag("server/Tokens")<Tokens, TokensApi>() {
  /** This process's tokens. */
  static readonly Memory: Layer.Layer<Tokens, never, ServerConfig> = Layer.scoped(
    Tokens,
    Effect.gen(function*() {
      const { tokenMs } = (yield* ServerConfig).timeouts
      const tokens = new Map<string, Token>()

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

      return {
        issue: (name, connId, text) =>
          Effect.sync(() => {
            tokens.set(name, { digest: tokenDigest(text), sessionConn: connId, expiresAt: Number.POSITIVE_INFINITY, failures: 0 })
          }),
        sessionEnded: (name, connId) =>
          Effect.sync(() => {
            const token = tokens.get(name)
            if (token && token.sessionConn === connId) {
              token.sessionConn = undefined
              token.expiresAt = Date.now() + tokenMs
            }
          }),
        drop: (name) => Effect.sync(() => void tokens.delete(name)),
        check: (name, text) =>
          Effect.sync((): TokenCheck => {
            const token = tokens.get(name)
            if (token === undefined) return "not-found"
            if (token.sessionConn !== undefined) return "in-use"
            if (token.expiresAt <= Date.now()) {
              tokens.delete(name)
              return "expired"
            }
            if (!constantTimeEqual(token.digest, tokenDigest(text))) {
              token.failures += 1
              if (token.failures >= MAX_TOKEN_FAILURES) tokens.delete(name)
              return "mismatch"
            }
            token.failures = 0
            return "ok"
          })
      } satisfies TokensApi
    })
  )
}
