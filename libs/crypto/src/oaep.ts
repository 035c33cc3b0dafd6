/**
 * Message encryption exactly as the original: `rsa.EncryptOAEP(sha256.New(), rand.Reader, pub, text, nil)`,
 * i.e. RSA-OAEP with SHA-256 for both the digest and MGF1, and an empty label. One message is one block:
 * no hybrid encryption, no framing. With a 4096-bit key a block carries at most 446 bytes.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from "node:crypto"
import { Either } from "effect"
import { DecryptionFailed, PlaintextTooLong } from "./errors.js"
import { keyBits, RSA_BITS } from "./keys.js"

const SHA256_BYTES = 32
/** OAEP overhead: two digests and two bytes. */
const OAEP_OVERHEAD = 2 * SHA256_BYTES + 2

/** The largest plaintext one OAEP-SHA-256 block of an RSA-4096 key carries: 512 - 2*32 - 2 = 446 bytes. */
export const MAX_PLAINTEXT = RSA_BITS / 8 - OAEP_OVERHEAD

/** The largest plaintext one block of this key carries (446 for the protocol's 4096-bit keys). */
export const maxPlaintextFor = (key: KeyObject): number => Math.ceil(keyBits(key) / 8) - OAEP_OVERHEAD

const CR = 0x0d
const LF = 0x0a

/** Whether `bytes` contains `\r\n`, which a v1 argument cannot carry (the original splits arguments on it). */
export const containsCrlf = (bytes: Uint8Array): boolean => {
  for (let i = bytes.indexOf(CR); i >= 0 && i < bytes.length - 1; i = bytes.indexOf(CR, i + 1)) {
    if (bytes[i + 1] === LF) return true
  }
  return false
}

/** RSA-OAEP-SHA-256 with `pub`. Randomised: two calls give different ciphertexts (512 bytes each for RSA-4096). */
export const encrypt = (pub: KeyObject, plaintext: Uint8Array): Either.Either<Uint8Array, PlaintextTooLong> => {
  const max = maxPlaintextFor(pub)
  if (plaintext.length > max) return Either.left(new PlaintextTooLong({ length: plaintext.length, max }))
  return Either.right(encryptBlock(pub, plaintext))
}

/**
 * `encrypt`, repeated until the ciphertext holds no `\r\n` (a 512-byte block does with p ≈ 0.78 %), so it
 * can travel as a v1 argument that the original peers will not split. OAEP is randomised, so each retry
 * is a fresh, equally valid ciphertext; on average 1.008 encryptions (~0.1 ms each) are needed.
 */
export const encryptNoCrlf = (pub: KeyObject, plaintext: Uint8Array): Either.Either<Uint8Array, PlaintextTooLong> => {
  const max = maxPlaintextFor(pub)
  if (plaintext.length > max) return Either.left(new PlaintextTooLong({ length: plaintext.length, max }))
  let ciphertext = encryptBlock(pub, plaintext)
  while (containsCrlf(ciphertext)) ciphertext = encryptBlock(pub, plaintext)
  return Either.right(ciphertext)
}

/** The plaintext of an OAEP-SHA-256 block, or `DecryptionFailed` (wrong key, tampered or truncated block). */
export const decrypt = (priv: KeyObject, ciphertext: Uint8Array): Either.Either<Uint8Array, DecryptionFailed> => {
  if (priv.type !== "private") return Either.left(new DecryptionFailed({ reason: "decryption needs a private key" }))
  try {
    const plaintext = privateDecrypt(
      { key: priv, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
      ciphertext
    )
    return Either.right(new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength))
  } catch (error) {
    return Either.left(new DecryptionFailed({ reason: error instanceof Error ? error.message : String(error) }))
  }
}

const encryptBlock = (pub: KeyObject, plaintext: Uint8Array): Uint8Array => {
  const ciphertext = publicEncrypt({ key: pub, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, plaintext)
  return new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength)
}
