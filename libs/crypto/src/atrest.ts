/**
 * Private keys at rest, in the original client's database format (`client/db/password.go`):
 * key = scrypt(password, salt, N=32768, r=8, p=1, 32 bytes); AES-256-GCM without additional data;
 * blob = nonce(12) ‖ ciphertext ‖ tag(16) ‖ salt(32). The salt is fresh for every blob, so every blob has
 * its own key. scrypt runs on libuv's thread pool (~100 ms): the event loop is never blocked.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto"
import { Effect } from "effect"
import { WrongPassword } from "./errors.js"

export const SCRYPT_N = 32768
export const SCRYPT_R = 8
export const SCRYPT_P = 1
export const KEY_BYTES = 32
export const SALT_BYTES = 32
export const NONCE_BYTES = 12
export const TAG_BYTES = 16
/** scrypt needs 128·N·r bytes (32 MiB here) plus a little: node's default 32 MiB ceiling is just too low. */
const SCRYPT_MAXMEM = 64 * 1024 * 1024

const deriveKey = (password: string, salt: Uint8Array): Effect.Effect<Buffer> =>
  Effect.async<Buffer>((resume) => {
    scrypt(
      Buffer.from(password, "utf8"),
      salt,
      KEY_BYTES,
      { N: SCRYPT_N, r: SCRYPT_R, p: SCRYPT_P, maxmem: SCRYPT_MAXMEM },
      (error, key) => resume(error === null ? Effect.succeed(key) : Effect.die(error))
    )
  })

/**
 * The blob for `plain` under `password` with the given salt and nonce. Exposed for known-answer tests
 * only: a nonce must never be reused with the same salt and password, so use `encryptPrivateKey`.
 */
export const encryptPrivateKeyWith = Effect.fn("crypto.encryptPrivateKeyWith")(function* (
  plain: Uint8Array,
  password: string,
  salt: Uint8Array,
  nonce: Uint8Array
) {
  if (salt.length !== SALT_BYTES || nonce.length !== NONCE_BYTES) {
    return yield* Effect.dieMessage(`encryptPrivateKeyWith: salt must be ${SALT_BYTES} bytes and nonce ${NONCE_BYTES}`)
  }
  const key = yield* deriveKey(password, salt)
  const cipher = createCipheriv("aes-256-gcm", key, nonce)
  const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag(), salt])
  return new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength)
})

/** `plain` (a PKCS#1 PEM private key, in practice) encrypted under `password`, as the original client stores it. */
export const encryptPrivateKey = (plain: Uint8Array, password: string): Effect.Effect<Uint8Array> =>
  Effect.suspend(() => encryptPrivateKeyWith(plain, password, randomBytes(SALT_BYTES), randomBytes(NONCE_BYTES)))

/**
 * The plaintext of a blob made by `encryptPrivateKey` or by the original client. A wrong password, or a
 * blob that is truncated or altered, fails with `WrongPassword`: GCM authenticates before anything is returned.
 */
export const decryptPrivateKey = Effect.fn("crypto.decryptPrivateKey")(function* (blob: Uint8Array, password: string) {
  if (blob.length < NONCE_BYTES + TAG_BYTES + SALT_BYTES) return yield* new WrongPassword()
  const salt = blob.subarray(blob.length - SALT_BYTES)
  const nonce = blob.subarray(0, NONCE_BYTES)
  const ciphertext = blob.subarray(NONCE_BYTES, blob.length - SALT_BYTES - TAG_BYTES)
  const tag = blob.subarray(blob.length - SALT_BYTES - TAG_BYTES, blob.length - SALT_BYTES)
  const key = yield* deriveKey(password, salt)
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES })
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()])
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength)
  } catch {
    return yield* new WrongPassword()
  }
})
