import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { fingerprint, fingerprintShort, parsePrivateKey, parsePublicKey } from "../src/index.js"
import { frameArgs, goldenFrame, goldenKey } from "./golden.js"

describe("fingerprint", () => {
  const regPem = Buffer.from(frameArgs(goldenFrame("reg"))[1]).toString("latin1")
  const alicePublic = Either.getOrThrow(parsePublicKey(regPem))
  const alicePrivate = Either.getOrThrow(parsePrivateKey(goldenKey("alice")))

  it("is SHA-256 of the SPKI DER in 16 groups of 4 hex digits", () => {
    const spki = Buffer.from(regPem.split("\n").slice(1, -2).join(""), "base64")
    const sha = createHash("sha256").update(spki).digest("hex")
    const shown = fingerprint(alicePublic)
    expect(shown).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){15}$/)
    expect(shown.replaceAll(":", "")).toBe(sha)
  })

  it("is the same for a private key and its public key, and differs between keys", () => {
    expect(fingerprint(alicePrivate)).toBe(fingerprint(alicePublic))
    const bob = Either.getOrThrow(parsePrivateKey(goldenKey("bob")))
    expect(fingerprint(bob)).not.toBe(fingerprint(alicePublic))
  })

  it("has a short form of the first 8 groups", () => {
    const short = fingerprintShort(alicePublic)
    expect(short).toMatch(/^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/)
    expect(fingerprint(alicePublic).startsWith(short + ":")).toBe(true)
  })
})
