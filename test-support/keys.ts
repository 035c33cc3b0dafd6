/**
 * Crafted RSA public keys for attack tests: a real key's modulus with another public exponent, which no
 * key generator makes (node's `generateKeyPair` takes a 32-bit exponent at most).
 */
import { createPublicKey, type KeyObject } from "node:crypto"

const base64url = (n: bigint): string => {
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = `0${hex}`
  return Buffer.from(hex, "hex").toString("base64url")
}

/** The public key with `key`'s modulus and the exponent `e` (odd, smaller than the modulus). */
export const withExponent = (key: KeyObject, e: bigint): KeyObject => {
  const jwk = key.export({ format: "jwk" })
  return createPublicKey({ key: { kty: "RSA", n: jwk.n!, e: base64url(e) }, format: "jwk" })
}

/** An odd exponent of exactly `bits` bits. */
export const exponentOfBits = (bits: number): bigint => (1n << BigInt(bits - 1)) | 1n
