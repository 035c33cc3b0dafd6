/**
 * In-memory cache of usable accounts (registered, not deregistered, key parsable), keyed by lowercase
 * name, with the parsed public key.
 *
 * - The offline MSG fast path (`Relay`) only needs "the recipient exists and is not deregistered" and its row
 *   id: a cached entry answers that without a database round trip, so a sender's pipelined MSGs to an
 *   offline user can be handed to the group commit synchronously.
 * - LOGIN / VERIF / REQ still read the row from the database (the operator CLI may change levels while the
 *   server runs) but re-use the parsed key when the stored DER is unchanged (`createPublicKey` of a
 *   4096-bit key costs ~0.3 ms).
 *
 * Only the server changes whether an account is usable (REG adds, DEREG / admin DEREG clear the key; the CLI
 * changes levels only), and both DEREG paths call `invalidate`; CHGPERMS invalidates too. Negative answers
 * are never cached (a REG makes a name valid at once). Bounded: cleared when it holds MAX_ENTRIES.
 */
import type { KeyObject } from "node:crypto"
import { Effect } from "effect"

export interface CachedUser {
  readonly id: number
  readonly username: string
  /** canonical SPKI DER as stored */
  readonly der: Uint8Array
  readonly key: KeyObject
}

const MAX_ENTRIES = 20_000

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)

export class UserCache extends Effect.Service<UserCache>()("server/UserCache", {
  sync: () => {
    const byName = new Map<string, CachedUser>()
    return {
      /** The usable account of this (lowercase) name, if cached. */
      get(name: string): CachedUser | undefined {
        return byName.get(name)
      },
      /** The cached parsed key of `name` if its stored DER is still `der`. */
      keyFor(name: string, der: Uint8Array): KeyObject | undefined {
        const entry = byName.get(name)
        return entry !== undefined && sameBytes(entry.der, der) ? entry.key : undefined
      },
      /** Records a usable account just read from the database. */
      put(user: CachedUser): void {
        if (byName.size >= MAX_ENTRIES && !byName.has(user.username)) byName.clear()
        byName.set(user.username, user)
      },
      /** Forgets an account (deregistered, or its row changed). */
      invalidate(name: string): void {
        byName.delete(name)
      },
      clear(): void {
        byName.clear()
      },
      get size(): number {
        return byName.size
      }
    }
  }
}) {}
