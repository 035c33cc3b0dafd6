import { constants, privateDecrypt, publicEncrypt } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import {
  containsCrlf,
  decrypt,
  encrypt,
  encryptNoCrlf,
  MAX_PLAINTEXT,
  maxPlaintextFor,
  parsePrivateKey,
  parsePublicKey,
  publicKeyOf
} from "../src/index.js"
import { frameArgs, goldenFrame, goldenKey } from "./golden.js"

const keys = {
  alice: Either.getOrThrow(parsePrivateKey(goldenKey("alice"))),
  bob: Either.getOrThrow(parsePrivateKey(goldenKey("bob")))
}
const alicePublic = publicKeyOf(keys.alice)
const utf8 = new TextEncoder()
const text = (bytes: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(bytes)
/** The ciphertext is each of these frames' last argument. */
const lastArg = (frame: string) => frameArgs(goldenFrame(frame)).at(-1)!

// Recipients and texts as the frames' notes give them.
const GOLDEN = [
  {
    frame: "verif_s2c",
    key: "alice",
    plaintext:
      "bbZbQnFgfwfJaLJhoUueIlxZPzYs+Xd&ebOOYfjufBuvCoWUPnj*nprXkOkKNioQ%?cpiO?IvtRp%SE+zjYsrb&PO$HRIiddwY-ccfglcmluFrjpYLvOaChpgEkT&Vym"
  },
  { frame: "msg_offline_c2s", key: "bob", plaintext: "hello bob, this was sent while you were offline" },
  { frame: "reciv_catchup_1", key: "bob", plaintext: "hello bob, this was sent while you were offline" },
  { frame: "reciv_catchup_2", key: "bob", plaintext: "second offline message" },
  { frame: "msg_online_c2s", key: "bob", plaintext: "hi bob, you are online now" },
  { frame: "reciv_push", key: "bob", plaintext: "hi bob, you are online now" },
  { frame: "msg_bob_to_alice_c2s", key: "alice", plaintext: "hello alice, got it" },
  { frame: "reciv_push_to_alice", key: "alice", plaintext: "hello alice, got it" }
] as const

describe("golden ciphertexts from the original", () => {
  it.each(GOLDEN)("$frame decrypts with $key.priv", ({ frame, key, plaintext }) => {
    const ciphertext = lastArg(frame)
    expect(ciphertext.length).toBe(512)
    expect(Either.map(decrypt(keys[key], ciphertext), text)).toEqual(Either.right(plaintext))
  })

  it.each(GOLDEN)("$frame does not decrypt with the other key", ({ frame, key }) => {
    const other = key === "alice" ? keys.bob : keys.alice
    const result = decrypt(other, lastArg(frame))
    expect(Either.isLeft(result) && result.left._tag).toBe("DecryptionFailed")
  })

  it("the CRLF-carrying MSG (to bob) is seen to hold CRLF and still decrypts to UTF-8 text", () => {
    const ciphertext = lastArg("msg_crlf_c2s")
    expect(ciphertext.length).toBe(512)
    expect(containsCrlf(ciphertext)).toBe(true)
    const plain = Either.getOrThrow(decrypt(keys.bob, ciphertext))
    expect(() => text(plain)).not.toThrow()
  })
})

describe("encrypt / decrypt", () => {
  it("a block carries 446 bytes and not one more", () => {
    expect(MAX_PLAINTEXT).toBe(446)
    expect(maxPlaintextFor(alicePublic)).toBe(446)
    const full = new Uint8Array(446).fill(0x61)
    expect(Either.map(encrypt(alicePublic, full), (c) => c.length)).toEqual(Either.right(512))
    const tooLong = new Uint8Array(447)
    for (const attempt of [encrypt(alicePublic, tooLong), encryptNoCrlf(alicePublic, tooLong)]) {
      expect(Either.isLeft(attempt) && { ...attempt.left }).toEqual({ _tag: "PlaintextTooLong", length: 447, max: 446 })
    }
  })

  it("is randomised and interoperates with node's OAEP-SHA-256 both ways", () => {
    const message = utf8.encode("¡hola, bob! 👋")
    const first = Either.getOrThrow(encrypt(alicePublic, message))
    const second = Either.getOrThrow(encrypt(alicePublic, message))
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false)
    const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }
    expect(privateDecrypt({ key: keys.alice, ...oaep }, first).equals(Buffer.from(message))).toBe(true)
    const theirs = publicEncrypt({ key: alicePublic, ...oaep }, message)
    expect(Either.map(decrypt(keys.alice, theirs), text)).toEqual(Either.right("¡hola, bob! 👋"))
  })

  it("fails with DecryptionFailed on tampered, truncated or empty ciphertexts and on public keys", () => {
    const ciphertext = Either.getOrThrow(encrypt(alicePublic, utf8.encode("secret")))
    const tampered = Uint8Array.from(ciphertext)
    tampered[100] ^= 1
    for (const bad of [tampered, ciphertext.subarray(1), new Uint8Array(0), new Uint8Array(513)]) {
      const result = decrypt(keys.alice, bad)
      expect(Either.isLeft(result) && result.left._tag).toBe("DecryptionFailed")
    }
    const withPublic = decrypt(alicePublic, ciphertext)
    expect(Either.isLeft(withPublic) && withPublic.left.reason).toBe("decryption needs a private key")
  })

  it.prop(
    "round-trips any plaintext of up to 446 bytes",
    [fc.uint8Array({ maxLength: MAX_PLAINTEXT })],
    ([plaintext]) => {
      const ciphertext = Either.getOrThrow(encrypt(alicePublic, plaintext))
      expect(ciphertext.length).toBe(512)
      expect(Buffer.from(Either.getOrThrow(decrypt(keys.alice, ciphertext))).equals(Buffer.from(plaintext))).toBe(true)
    },
    { fastCheck: { numRuns: 20 } }
  )
})

describe("encryptNoCrlf", () => {
  it("never yields a ciphertext holding CRLF (plain encrypt does ~0.78 % of the time)", () => {
    // 1000 tries: a version that did not re-encrypt would let CRLF through with p ≈ 0.9996.
    const plaintext = utf8.encode("challenge")
    for (let i = 0; i < 1000; i++) {
      expect(containsCrlf(Either.getOrThrow(encryptNoCrlf(alicePublic, plaintext)))).toBe(false)
    }
  })

  it("yields ciphertexts that decrypt to the plaintext", () => {
    const plaintext = utf8.encode("ADMINISTRATIVE BROADCAST:\nservice restarts in 5 minutes")
    const ciphertext = Either.getOrThrow(encryptNoCrlf(alicePublic, plaintext))
    expect(Either.map(decrypt(keys.alice, ciphertext), text)).toEqual(Either.right(text(plaintext)))
  })
})

describe("containsCrlf", () => {
  it("finds CR immediately followed by LF, anywhere, and nothing else", () => {
    const cases: Array<[Array<number>, boolean]> = [
      [[], false],
      [[0x0d], false],
      [[0x0a, 0x0d], false],
      [[0x0d, 0x0d, 0x0a], true],
      [[0x0d, 0x0a], true],
      [[1, 2, 0x0d, 3, 0x0a, 0x0d], false],
      [[1, 2, 0x0d, 3, 0x0a, 0x0d, 0x0a], true]
    ]
    for (const [bytes, expected] of cases) expect(containsCrlf(Uint8Array.from(bytes))).toBe(expected)
  })

  it.prop(
    "agrees with a search for the two-byte sequence",
    [fc.uint8Array({ maxLength: 64 }).map((b) => b.map((x) => [0x0d, 0x0a, x][x % 3]))],
    ([bytes]) => {
      expect(containsCrlf(bytes)).toBe(Buffer.from(bytes).includes(Buffer.from("\r\n")))
    },
    { fastCheck: { numRuns: 500 } }
  )
})

describe("parsePublicKey + encrypt", () => {
  it("a key parsed from the wire encrypts for the holder of the private key", () => {
    const wire = frameArgs(goldenFrame("reg"))[1]
    const pub = Either.getOrThrow(parsePublicKey(wire))
    const ciphertext = Either.getOrThrow(encryptNoCrlf(pub, utf8.encode("to alice")))
    expect(Either.map(decrypt(keys.alice, ciphertext), text)).toEqual(Either.right("to alice"))
  })
})
