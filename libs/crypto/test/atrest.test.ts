import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { encryptPrivateKeyWith } from "../src/atrest.js"
import { decryptPrivateKey, encryptPrivateKey } from "../src/index.js"
import { goldenKey } from "./golden.js"

const PASSWORD = "correct horse battery staple ✓"
const plainKey = new TextEncoder().encode(goldenKey("alice"))
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, "hex"))
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b))

/** The original client's algorithm (client/db/password.go), rebuilt here from node:crypto primitives. */
const scryptKey = (password: string, salt: Uint8Array) =>
  scryptSync(Buffer.from(password, "utf8"), salt, 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
const referenceSeal = (plain: Uint8Array, password: string) => {
  const salt = randomBytes(32)
  const nonce = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", scryptKey(password, salt), nonce)
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag(), salt])
}
const referenceOpen = (blob: Uint8Array, password: string) => {
  const salt = blob.subarray(blob.length - 32)
  const decipher = createDecipheriv("aes-256-gcm", scryptKey(password, salt), blob.subarray(0, 12))
  decipher.setAuthTag(blob.subarray(blob.length - 48, blob.length - 32))
  return Buffer.concat([decipher.update(blob.subarray(12, blob.length - 48)), decipher.final()])
}

/**
 * Known answer, computed once outside this code base (Python: hashlib.scrypt n=32768 r=8 p=1 dklen=32,
 * cryptography's AESGCM, no associated data): nonce ‖ ciphertext+tag ‖ salt.
 */
const KAT = {
  password: "correct horse battery staple ✓",
  salt: bytes("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
  nonce: bytes("a0a1a2a3a4a5a6a7a8a9aaab"),
  plain: new TextEncoder().encode(
    "-----BEGIN RSA PRIVATE KEY-----\nnot a real key, a known-answer vector\n-----END RSA PRIVATE KEY-----\n"
  ),
  blob: bytes(
    "a0a1a2a3a4a5a6a7a8a9aaab832931ba257ccc3b73cd9a9517cb0a95cb86b9ed329f6811add19a07c02d25359fb1aeac3f49988be104" +
      "ae32aff3ff4a84bc133445ed0002ffd19eb58d63b9b346098edd9d34cd5e2422cfd1e9bc48e4b6e5437969ab2ce82038d97f82c729" +
      "6c08bf6235181b2574ab0303a2894e276fcba06590000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
  )
}

describe("private keys at rest", () => {
  it.effect("matches the known-answer blob both ways", () =>
    Effect.gen(function* () {
      const sealed = yield* encryptPrivateKeyWith(KAT.plain, KAT.password, KAT.salt, KAT.nonce)
      expect(Buffer.from(sealed).toString("hex")).toBe(Buffer.from(KAT.blob).toString("hex"))
      const opened = yield* decryptPrivateKey(KAT.blob, KAT.password)
      expect(same(opened, KAT.plain)).toBe(true)
    })
  )

  it.effect("a blob made here opens with the original's algorithm, and has its layout", () =>
    Effect.gen(function* () {
      const blob = yield* encryptPrivateKey(plainKey, PASSWORD)
      expect(blob.length).toBe(12 + plainKey.length + 16 + 32)
      expect(same(referenceOpen(blob, PASSWORD), plainKey)).toBe(true)
    })
  )

  it.effect("a blob made by the original's algorithm opens here", () =>
    Effect.gen(function* () {
      const opened = yield* decryptPrivateKey(referenceSeal(plainKey, PASSWORD), PASSWORD)
      expect(new TextDecoder().decode(opened)).toBe(goldenKey("alice"))
    })
  )

  it.effect("uses a fresh salt and nonce for every blob", () =>
    Effect.gen(function* () {
      const [a, b] = yield* Effect.all([encryptPrivateKey(KAT.plain, "pw"), encryptPrivateKey(KAT.plain, "pw")], {
        concurrency: 2
      })
      expect(same(a.subarray(0, 12), b.subarray(0, 12))).toBe(false)
      expect(same(a.subarray(-32), b.subarray(-32))).toBe(false)
    })
  )

  it.effect("a wrong password is WrongPassword, never garbage", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(decryptPrivateKey(KAT.blob, KAT.password + " "))
      expect(error._tag).toBe("WrongPassword")
    })
  )

  it.effect("a tampered or truncated blob is WrongPassword too", () =>
    Effect.gen(function* () {
      const tampered = Uint8Array.from(KAT.blob)
      tampered[20] ^= 0x80
      const flipped = yield* Effect.flip(decryptPrivateKey(tampered, KAT.password))
      expect(flipped._tag).toBe("WrongPassword")
      for (const short of [new Uint8Array(0), KAT.blob.subarray(0, 59)]) {
        const truncated = yield* Effect.flip(decryptPrivateKey(short, KAT.password))
        expect(truncated._tag).toBe("WrongPassword")
      }
    })
  )
})
