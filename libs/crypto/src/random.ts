/**
 * Secrets from the CSPRNG. The original drew login challenges from `math/rand` seeded with the clock
 * (predictable, reference §7.3 A2); these come from node's CSPRNG with rejection sampling, so every
 * symbol is exactly equally likely.
 */
import { randomBytes } from "node:crypto"

/** The 61 symbols of the original's challenges (`hubs/misc.go:randText`). */
export const CHALLENGE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%&*+-?!"
/** The original's challenge length, which is also the reusable token's (the decrypted challenge). */
export const CHALLENGE_LENGTH = 128
/** Bytes of entropy in a `randomToken`. */
export const TOKEN_BYTES = 32

/** `length` symbols drawn uniformly from `alphabet` (at most 256 distinct symbols). */
export const randomString = (length: number, alphabet: string): string => {
  const size = alphabet.length
  if (size < 1 || size > 256) throw new RangeError(`randomString: alphabet must hold 1 to 256 symbols, got ${size}`)
  if (!Number.isInteger(length) || length < 0) throw new RangeError(`randomString: bad length ${length}`)
  // Bytes at or above the largest multiple of `size` would favour the first symbols: they are drawn again.
  const limit = 256 - (256 % size)
  let out = ""
  while (out.length < length) {
    for (const byte of randomBytes(length - out.length + 16)) {
      if (byte < limit) out += alphabet[byte % size]
      if (out.length === length) break
    }
  }
  return out
}

/** A login challenge like the original's (128 symbols of `CHALLENGE_ALPHABET`), but unpredictable. */
export const randomChallenge = (length: number = CHALLENGE_LENGTH): string => randomString(length, CHALLENGE_ALPHABET)

const CHALLENGE_SYMBOLS = new Uint8Array(256)
for (const c of CHALLENGE_ALPHABET) CHALLENGE_SYMBOLS[c.charCodeAt(0)] = 1

/**
 * Whether `plaintext` has exactly the shape of a v1 login challenge: `CHALLENGE_LENGTH` bytes, each a
 * symbol of `CHALLENGE_ALPHABET` (the original's `randText` and our server both make them so). A client
 * must answer VERIF only with such a plaintext: messages are encrypted to the same key, so answering
 * anything else would let a server (or anyone on a plain-TCP path) use the client to decrypt them.
 */
export const isChallengeShaped = (plaintext: Uint8Array): boolean => {
  if (plaintext.length !== CHALLENGE_LENGTH) return false
  for (const byte of plaintext) if (CHALLENGE_SYMBOLS[byte] !== 1) return false
  return true
}

/** 32 random bytes as unpadded base64url (43 characters): for session tokens and identifiers. */
export const randomToken = (): string => randomBytes(TOKEN_BYTES).toString("base64url")
