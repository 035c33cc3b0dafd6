import { generateKeyPairSync, type KeyObject } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parsePrivateKey, publicKeyOf } from "../src/index.js"
import { encodeLength, pkcs1FromSpki, spkiFromPkcs1 } from "../src/spki.js"
import { goldenKey } from "./golden.js"

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

// 512 bits: short-form lengths; 1024: one length byte; 4096: two.
const KEYS: Array<[string, KeyObject]> = [
  ["512-bit", generateKeyPairSync("rsa", { modulusLength: 512 }).publicKey],
  ["1024-bit", generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey],
  ["alice (4096-bit)", publicKeyOf(Either.getOrThrow(parsePrivateKey(goldenKey("alice"))))],
  ["bob (4096-bit)", publicKeyOf(Either.getOrThrow(parsePrivateKey(goldenKey("bob"))))]
]

describe("hand-made SPKI", () => {
  it.each(KEYS)("%s: wrapping PKCS#1 gives OpenSSL's SPKI, and unwrapping gives it back", (_, key) => {
    const pkcs1 = key.export({ type: "pkcs1", format: "der" })
    const spki = key.export({ type: "spki", format: "der" })
    expect(hex(spkiFromPkcs1(pkcs1))).toBe(hex(spki))
    expect(hex(pkcs1FromSpki(spki)!)).toBe(hex(pkcs1))
  })

  it("encodes DER lengths minimally", () => {
    expect([0, 127, 128, 255, 256, 65535, 65536].map((n) => hex(encodeLength(n)))).toEqual([
      "00",
      "7f",
      "8180",
      "81ff",
      "820100",
      "82ffff",
      "83010000"
    ])
  })

  it("unwraps only canonical RSA SPKI with nothing after it", () => {
    const spki = KEYS[2][1].export({ type: "spki", format: "der" })
    expect(pkcs1FromSpki(new Uint8Array([...spki, 0]))).toBeUndefined()
    expect(pkcs1FromSpki(spki.subarray(0, -1))).toBeUndefined()
    expect(pkcs1FromSpki(new Uint8Array(0))).toBeUndefined()
    // outer length re-encoded in a non-minimal three-byte form
    const nonMinimal = new Uint8Array([0x30, 0x83, 0x00, ...spki.subarray(2)])
    expect(pkcs1FromSpki(nonMinimal)).toBeUndefined()
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" })
    expect(pkcs1FromSpki(ec)).toBeUndefined()
    const pss = generateKeyPairSync("rsa-pss", { modulusLength: 512 }).publicKey.export({ type: "spki", format: "der" })
    expect(pkcs1FromSpki(pss)).toBeUndefined()
  })
})
