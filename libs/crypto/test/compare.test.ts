import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { constantTimeEqual } from "../src/index.js"

describe("constantTimeEqual", () => {
  it("compares bytes and UTF-8 strings, in any mix", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true)
    expect(constantTimeEqual("abc", "abd")).toBe(false)
    expect(constantTimeEqual("abc", "abcd")).toBe(false)
    expect(constantTimeEqual("", "")).toBe(true)
    expect(constantTimeEqual("", "a")).toBe(false)
    expect(constantTimeEqual("é", Uint8Array.of(0xc3, 0xa9))).toBe(true)
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(constantTimeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
  })

  it.prop(
    "agrees with ordinary equality",
    [fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 })],
    ([a, b]) => {
      expect(constantTimeEqual(a, b)).toBe(Buffer.from(a).equals(Buffer.from(b)))
      expect(constantTimeEqual(a, Uint8Array.from(a))).toBe(true)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
