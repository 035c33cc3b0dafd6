import { describe, expect, it } from "@effect/vitest"
import { CHALLENGE_ALPHABET, CHALLENGE_LENGTH, isChallengeShaped, randomChallenge, randomString, randomToken } from "../src/index.js"

describe("isChallengeShaped", () => {
  const bytes = (s: string) => new TextEncoder().encode(s)
  it("accepts every challenge we draw, and nothing of another length or alphabet", () => {
    for (let i = 0; i < 50; i++) expect(isChallengeShaped(bytes(randomChallenge()))).toBe(true)
    expect(isChallengeShaped(bytes(randomChallenge(127)))).toBe(false)
    expect(isChallengeShaped(bytes(randomChallenge(129)))).toBe(false)
    expect(isChallengeShaped(bytes(randomChallenge(12)))).toBe(false)
    expect(isChallengeShaped(new Uint8Array(0))).toBe(false)
    // one symbol out of the alphabet anywhere: a digit, a space, a NUL, a byte above 0x7f
    for (const bad of ["0", " ", "\0", "\u00e9"]) {
      const c = randomChallenge(127)
      for (const at of [0, 64, 127]) {
        const text = bytes(c.slice(0, at) + bad + c.slice(at))
        expect(isChallengeShaped(text.length === 128 ? text : text.subarray(0, 128))).toBe(false)
      }
    }
    expect(isChallengeShaped(Uint8Array.from({ length: 128 }, (_, i) => i))).toBe(false)
  })
})

describe("randomChallenge", () => {
  it("uses the original's 61 symbols and length 128", () => {
    expect(CHALLENGE_ALPHABET).toBe("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%&*+-?!")
    expect(new Set(CHALLENGE_ALPHABET).size).toBe(61)
    expect(CHALLENGE_LENGTH).toBe(128)
    const challenge = randomChallenge()
    expect(challenge).toHaveLength(128)
    expect(challenge).toMatch(/^[A-Za-z#$%&*+\-?!]{128}$/)
    expect(randomChallenge(7)).toHaveLength(7)
    expect(randomChallenge(0)).toBe("")
  })

  it("is unbiased: symbol counts pass a chi-square test that modulo bias fails", () => {
    // 32768 symbols, 60 degrees of freedom: the 1e-7 critical value is 135.2, a false alarm once in ten
    // million runs. Plain `byte % 61` makes the first 12 symbols 25 % likelier: a statistic around 300.
    const counts = new Map<string, number>()
    for (let i = 0; i < 256; i++) for (const c of randomChallenge()) counts.set(c, (counts.get(c) ?? 0) + 1)
    expect(counts.size).toBe(61)
    const expected = (256 * 128) / 61
    let chiSquare = 0
    for (const count of counts.values()) chiSquare += (count - expected) ** 2 / expected
    expect(chiSquare).toBeLessThan(135.2)
  })

  it("draws differently every time", () => {
    expect(new Set(Array.from({ length: 50 }, () => randomChallenge())).size).toBe(50)
  })

  it("refuses impossible alphabets and lengths", () => {
    expect(() => randomString(4, "")).toThrow(RangeError)
    expect(() => randomString(4, "x".repeat(257))).toThrow(RangeError)
    expect(() => randomString(-1, "ab")).toThrow(RangeError)
    expect(randomString(5, "z")).toBe("zzzzz")
  })
})

describe("randomToken", () => {
  it("is 32 random bytes as unpadded base64url", () => {
    const tokens = Array.from({ length: 50 }, () => randomToken())
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(Buffer.from(token, "base64url")).toHaveLength(32)
    }
    expect(new Set(tokens).size).toBe(50)
  })
})
