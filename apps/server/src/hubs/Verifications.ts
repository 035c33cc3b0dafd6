/**
 * LOGIN challenges (reusable tokens are `Tokens`).
 *
 * - A challenge belongs to one connection and one name (so another connection's LOGIN can neither replace
 *   nor cancel it); it expires after `loginMs`, is consumed by the first VERIF for it, and is cancelled by
 *   LOGOUT or the connection's end.
 */
import { Effect } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"

/** A pending challenge; `account` is whatever the LOGIN that made it wants its VERIF to get back. */
interface Pending {
  readonly text: string
  readonly expiresAt: number
  readonly account: unknown
}

/** A challenge taken by its VERIF: the text and what its LOGIN recorded with it. */
export interface TakenChallenge<A = unknown> {
  readonly text: string
  readonly account: A
}

/** Challenges one connection can have pending at once (for different names); the oldest is dropped. */
export const MAX_PENDING_PER_CONNECTION = 8

// Plain synchronous code: a login runs these once or twice, and an Effect with a span or a timer fiber
// per challenge cost more than the rest of the login (docs/PERFORMANCE.md, login round 2). A challenge
// needs no timer: its deadline is checked when a VERIF takes it, and pending challenges are bounded per
// connection and dropped with it.
export class Verifications extends Effect.Service<Verifications>()("server/Verifications", {
  scoped: Effect.gen(function*() {
    const config = yield* ServerConfig
    const { loginMs } = config.timeouts
    /** per connection: name -> challenge, oldest first */
    const pending = new Map<number, Map<string, Pending>>()

    /**
     * Records a challenge for (connection, name), replacing this connection's previous one for the name;
     * `account` is handed back to the VERIF that takes it.
     */
    const challenge = (connId: number, name: string, text: string, account?: unknown): void => {
      let byName = pending.get(connId)
      if (byName === undefined) pending.set(connId, byName = new Map())
      byName.delete(name)
      byName.set(name, { text, expiresAt: Date.now() + loginMs, account })
      // bounded per connection: LOGIN for ever more names only replaces the oldest challenges
      while (byName.size > MAX_PENDING_PER_CONNECTION) byName.delete(byName.keys().next().value!)
    }

    /** Removes and returns the challenge for (connection, name), if one is pending and not expired. */
    const take = <A = unknown>(connId: number, name: string): TakenChallenge<A> | undefined => {
      const byName = pending.get(connId)
      const found = byName?.get(name)
      if (found === undefined) return undefined
      byName!.delete(name)
      if (byName!.size === 0) pending.delete(connId)
      return found.expiresAt > Date.now() ? { text: found.text, account: found.account as A } : undefined
    }

    /** Whether the connection has a challenge pending that has not expired. */
    const hasPending = (connId: number): boolean => {
      const byName = pending.get(connId)
      if (byName === undefined) return false
      const now = Date.now()
      for (const p of byName.values()) if (p.expiresAt > now) return true
      return false
    }

    /** Cancels every challenge of a connection (LOGOUT, disconnect). */
    const cancelConnection = (connId: number): void => {
      pending.delete(connId)
    }

    return { challenge, take, hasPending, cancelConnection } as const
  })
}) {}
