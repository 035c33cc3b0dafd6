/**
 * Local account passwords, as the original client stores them (`local_users.password`): bcrypt, cost 12.
 * Hashing and checking run on @node-rs/bcrypt's native thread pool (~210 ms at cost 12), off the event loop.
 * Hashes are written with the `$2a$` prefix Go's `x/crypto/bcrypt` writes, and Go's hashes verify here.
 */
import { hash, verify } from "@node-rs/bcrypt"
import { Effect } from "effect"

export const BCRYPT_COST = 12
/**
 * bcrypt reads only the first 72 bytes of a password (Go refuses to hash longer ones). Front ends should
 * refuse longer passwords; the private key stays safe regardless, since scrypt uses the whole password.
 */
export const PASSWORD_MAX_BYTES = 72

/** A bcrypt hash (cost 12, `$2a$`) of `pw`, salted at random. */
export const hashPassword = Effect.fn("crypto.hashPassword")(function* (pw: string) {
  return yield* Effect.promise(() => hash(pw, { cost: BCRYPT_COST, version: "2a" }))
})

/** Whether `pw` matches `hash` (any of `$2a$`, `$2b$`, `$2y$`); a malformed hash is simply no match. */
export const verifyPassword = Effect.fn("crypto.verifyPassword")(function* (pw: string, encodedHash: string) {
  return yield* Effect.promise(() => verify(pw, encodedHash))
})
