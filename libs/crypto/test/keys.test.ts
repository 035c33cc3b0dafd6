import { createHash, generateKeyPairSync, type KeyObject } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import {
  canonicalPublicKey,
  canonicalPublicKeyPem,
  generateKeyPair,
  keyBits,
  parsePrivateKey,
  parsePublicKey,
  privateKeyToPem,
  publicKeyOf,
  publicKeyToPem
} from "../src/index.js"
import { exponentOfBits, withExponent } from "../../../test-support/keys.js"
import { frameArgs, goldenFrame, goldenKey } from "./golden.js"

const alicePem = goldenKey("alice")
const bobPem = goldenKey("bob")
const alice = Either.getOrThrow(parsePrivateKey(alicePem))
/** Alice's public key exactly as the Go client sent it in REG (arg 2). */
const regPemBytes = frameArgs(goldenFrame("reg"))[1]
const regPem = Buffer.from(regPemBytes).toString("latin1")

/** Go's pem.Encode layout, checked line by line rather than by re-encoding. */
const expectGoPemLayout = (pem: string, label: string) => {
  expect(pem.startsWith(`-----BEGIN ${label}-----\n`)).toBe(true)
  expect(pem.endsWith(`\n-----END ${label}-----\n`)).toBe(true)
  expect(pem).not.toContain("\r")
  const body = pem.split("\n").slice(1, -2)
  expect(body.length).toBeGreaterThan(1)
  body.slice(0, -1).forEach((line) => expect(line).toMatch(/^[A-Za-z0-9+/]{64}$/))
  expect(body[body.length - 1]).toMatch(/^[A-Za-z0-9+/]{1,63}={0,2}$|^[A-Za-z0-9+/]{64}$/)
}

const armour = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`

const small = generateKeyPairSync("rsa", { modulusLength: 1024 })
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" })

const publicReason = (input: string | Uint8Array, opts?: Parameters<typeof parsePublicKey>[1]) =>
  Either.match(parsePublicKey(input, opts), { onLeft: (e) => `${e._tag}: ${e.reason}`, onRight: () => "ok" })
const privateReason = (input: string, opts?: Parameters<typeof parsePrivateKey>[1]) =>
  Either.match(parsePrivateKey(input, opts), { onLeft: (e) => `${e._tag}: ${e.reason}`, onRight: () => "ok" })

describe("golden keys from the original", () => {
  it("both PKCS#1 private keys parse and re-export byte-identical", () => {
    for (const pem of [alicePem, bobPem]) {
      const key = Either.getOrThrow(parsePrivateKey(pem))
      expect(keyBits(key)).toBe(4096)
      expect(privateKeyToPem(key)).toBe(pem)
    }
  })

  it("the REG public key parses (from bytes and from text) and re-exports byte-identical", () => {
    expect(regPem.length).toBe(808)
    for (const input of [regPemBytes, regPem]) {
      const key = Either.getOrThrow(parsePublicKey(input))
      expect(publicKeyToPem(key)).toBe(regPem)
      expect(canonicalPublicKeyPem(key)).toBe(regPem)
    }
  })

  it("alice's private key yields exactly the public PEM her Go client sent", () => {
    expect(publicKeyToPem(alice)).toBe(regPem)
    expect(publicKeyToPem(publicKeyOf(alice))).toBe(regPem)
    expectGoPemLayout(regPem, "RSA PUBLIC KEY")
  })

  it("the canonical form is the SPKI DER inside the original's armour", () => {
    const der = Buffer.from(regPem.split("\n").slice(1, -2).join(""), "base64")
    expect(Buffer.from(canonicalPublicKey(alice)).equals(der)).toBe(true)
    // SPKI, not PKCS#1: the DER opens with the rsaEncryption AlgorithmIdentifier
    expect(der.subarray(4, 19).toString("hex")).toBe("300d06092a864886f70d0101010500")
  })
})

describe("generateKeyPair", () => {
  it.effect("makes a 4096-bit pair (e = 65537) whose PEMs have Go's layout and round-trip", () =>
    Effect.gen(function* () {
      const { privateKey, publicKey } = yield* generateKeyPair()
      expect(keyBits(publicKey)).toBe(4096)
      expect(publicKey.asymmetricKeyDetails?.publicExponent).toBe(65537n)
      const pub = publicKeyToPem(publicKey)
      const priv = privateKeyToPem(privateKey)
      expectGoPemLayout(pub, "RSA PUBLIC KEY")
      expectGoPemLayout(priv, "RSA PRIVATE KEY")
      expect(pub.length).toBe(808)
      expect(publicKeyToPem(Either.getOrThrow(parsePublicKey(pub)))).toBe(pub)
      expect(privateKeyToPem(Either.getOrThrow(parsePrivateKey(priv)))).toBe(priv)
      expect(publicKeyToPem(privateKey)).toBe(pub)
    })
  )

  it.effect("reports a size node:crypto refuses as KeyGenerationFailed", () =>
    Effect.gen(function* () {
      const tooSmall = yield* Effect.flip(generateKeyPair(100))
      expect(tooSmall._tag).toBe("KeyGenerationFailed")
      expect(tooSmall.reason).toMatch(/too small/)
      const negative = yield* Effect.flip(generateKeyPair(-1))
      expect(negative._tag).toBe("KeyGenerationFailed")
    })
  )
})

describe("parsePublicKey", () => {
  const aliceSpki = canonicalPublicKey(alice)
  const sameAsAlice = (key: KeyObject) => Buffer.from(canonicalPublicKey(key)).equals(Buffer.from(aliceSpki))

  it("accepts any label, PKCS#1 content, CRLF line endings, leading junk and headers, like pem.Decode", () => {
    const pkcs1 = publicKeyOf(alice).export({ type: "pkcs1", format: "pem" }) as string
    const spkiPublicLabel = publicKeyOf(alice).export({ type: "spki", format: "pem" }) as string
    const variants = [
      pkcs1,
      spkiPublicLabel,
      armour("WHATEVER", aliceSpki),
      regPem.replace(/\n/g, "\r\n"),
      `junk before\nmore junk\n${regPem}and junk after\n`,
      regPem.replace("-----\n", "-----\nComment: a header line\n"),
      regPem.replace(/\n(?=[A-Za-z0-9+/=])/g, "\n  ")
    ]
    for (const pem of variants) {
      expect(Either.map(parsePublicKey(pem), sameAsAlice)).toEqual(Either.right(true))
    }
  })

  it("skips a broken block and takes the next one", () => {
    const broken = "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END SOMETHING ELSE-----\n"
    expect(Either.map(parsePublicKey(broken + regPem), sameAsAlice)).toEqual(Either.right(true))
  })

  it("rejects text without a PEM block, bad base64 and unmatched END lines", () => {
    expect(publicReason("")).toBe("InvalidPublicKey: no PEM block found")
    expect(publicReason("hello")).toBe("InvalidPublicKey: no PEM block found")
    expect(publicReason(regPem.replace("MIIC", "MI!C"))).toBe("InvalidPublicKey: no PEM block found")
    expect(publicReason(regPem.replace("-----END RSA PUBLIC KEY", "-----END RSA PRIVATE KEY"))).toBe(
      "InvalidPublicKey: no PEM block found"
    )
    expect(publicReason(regPem.slice(0, 400))).toBe("InvalidPublicKey: no PEM block found")
  })

  it("rejects DER that is not a public key, and a private key offered as a public one", () => {
    expect(publicReason(armour("RSA PUBLIC KEY", new Uint8Array([1, 2, 3])))).toMatch(/not an SPKI or PKCS#1/)
    expect(publicReason(alicePem)).toBe("InvalidPublicKey: a private key, not a public key")
    expect(publicReason(alice.export({ type: "pkcs8", format: "pem" }))).toBe(
      "InvalidPublicKey: a private key, not a public key"
    )
  })

  it("rejects trailing bytes after the DER", () => {
    const padded = new Uint8Array([...aliceSpki, 0])
    expect(publicReason(armour("RSA PUBLIC KEY", padded))).toBe("InvalidPublicKey: non-canonical DER or trailing data")
  })

  it("rejects keys that are not RSA", () => {
    const ecPem = ec.publicKey.export({ type: "spki", format: "pem" }) as string
    expect(publicReason(ecPem)).toBe("InvalidPublicKey: not an RSA key (ec)")
    expect(publicReason(ecPem, { bits: "any" })).toBe("InvalidPublicKey: not an RSA key (ec)")
  })

  it("requires 4096 bits unless told otherwise", () => {
    const smallPem = publicKeyToPem(small.publicKey)
    expect(publicReason(smallPem)).toBe("InvalidPublicKey: RSA key is 1024 bits, expected 4096")
    expect(publicReason(smallPem, { bits: "any" })).toBe("ok")
    expect(publicReason(smallPem, { bits: 1024 })).toBe("ok")
    expect(publicReason(regPem, { bits: 2048 })).toBe("InvalidPublicKey: RSA key is 4096 bits, expected 2048")
  })

  it("requires the public exponent 65537, whatever the size allowed (a huge one makes every encryption dear)", () => {
    const huge = publicKeyToPem(withExponent(alice, exponentOfBits(3072)))
    expect(publicReason(huge)).toBe("InvalidPublicKey: RSA public exponent is a 3072-bit number, expected 65537")
    expect(publicReason(huge, { bits: "any" })).toBe("InvalidPublicKey: RSA public exponent is a 3072-bit number, expected 65537")
    expect(publicReason(publicKeyToPem(withExponent(alice, 3n)))).toBe("InvalidPublicKey: RSA public exponent is 3, expected 65537")
    expect(publicReason(publicKeyToPem(withExponent(alice, 65537n)))).toBe("ok")
  })
})

describe("parsePrivateKey", () => {
  it("accepts unencrypted PKCS#8 as well as PKCS#1", () => {
    const pkcs8 = alice.export({ type: "pkcs8", format: "pem" }) as string
    expect(pkcs8).toContain("BEGIN PRIVATE KEY")
    expect(Either.map(parsePrivateKey(pkcs8), privateKeyToPem)).toEqual(Either.right(alicePem))
    expect(Either.map(parsePrivateKey(`exported by gochat\n${alicePem}`), privateKeyToPem)).toEqual(Either.right(alicePem))
  })

  it("rejects garbage, public keys, encrypted keys, non-RSA keys and wrong sizes", () => {
    expect(privateReason("nothing here")).toBe("InvalidPrivateKey: no PEM block found")
    expect(privateReason(regPem)).toMatch(/^InvalidPrivateKey: not an unencrypted/)
    const encrypted = alice.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }) as string
    expect(privateReason(encrypted)).toMatch(/^InvalidPrivateKey: not an unencrypted/)
    expect(privateReason(ec.privateKey.export({ type: "pkcs8", format: "pem" }) as string)).toBe(
      "InvalidPrivateKey: not an RSA key (ec)"
    )
    const smallPem = privateKeyToPem(small.privateKey)
    expect(privateReason(smallPem)).toBe("InvalidPrivateKey: RSA key is 1024 bits, expected 4096")
    expect(privateReason(smallPem, { bits: "any" })).toBe("ok")
  })
})

describe("canonicalPublicKey", () => {
  it("is the same for every encoding of a key and differs between keys", () => {
    const bob = Either.getOrThrow(parsePrivateKey(bobPem))
    const pkcs1 = Either.getOrThrow(parsePublicKey(publicKeyOf(alice).export({ type: "pkcs1", format: "pem" })))
    const hex = (key: KeyObject) => createHash("sha256").update(canonicalPublicKey(key)).digest("hex")
    expect(hex(pkcs1)).toBe(hex(alice))
    expect(hex(Either.getOrThrow(parsePublicKey(regPem)))).toBe(hex(alice))
    expect(hex(bob)).not.toBe(hex(alice))
  })

  it("is node's SPKI export for any key, RSA or not", () => {
    for (const key of [small.publicKey, small.privateKey, ec.publicKey, publicKeyOf(alice)]) {
      const spki = publicKeyOf(key).export({ type: "spki", format: "der" })
      expect(Buffer.from(canonicalPublicKey(key)).equals(spki)).toBe(true)
    }
  })
})
