import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { joinMessage, MAX_PLAINTEXT, splitMessage } from "../src/index.js"

const utf8 = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const bytes = (text: string) => utf8.encode(text).length
const clusterSegmenter = new Intl.Segmenter("en", { granularity: "grapheme" })
/** Pieces that make interesting grapheme clusters: combining marks, ZWJ sequences, flags, Hangul jamo, CRLF. */
const PIECES = [
  "a",
  "é",
  "e\u0301",
  "\u0301",
  "\u200d",
  "👨‍👩‍👧‍👦",
  "🇪🇸",
  "🇪",
  "😀",
  "👍🏽",
  "\r\n",
  "\r",
  "\n",
  "한",
  "\u1100\u1161\u11a8",
  "Z" + "\u0336".repeat(12)
]

/** Every part is non-empty, at most `max` bytes, and well-formed UTF-16 (hence valid UTF-8 once encoded). */
const expectWellFormedParts = (parts: Array<string>, max: number) => {
  for (const part of parts) {
    expect(part.length).toBeGreaterThan(0)
    expect(bytes(part)).toBeLessThanOrEqual(max)
    expect(strictUtf8.decode(utf8.encode(part))).toBe(part)
  }
}

describe("splitMessage", () => {
  it("returns a text that fits as its only part, even when empty", () => {
    expect(splitMessage("")).toEqual([""])
    expect(splitMessage("hello")).toEqual(["hello"])
    const exactly = "é".repeat(223) // 446 bytes
    expect(splitMessage(exactly)).toEqual([exactly])
  })

  it("fills each part before starting the next one", () => {
    expect(splitMessage("a".repeat(1000)).map((p) => p.length)).toEqual([446, 446, 108])
    expect(splitMessage("€".repeat(300)).map(bytes)).toEqual([444, 444, 12])
    expect(splitMessage("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"])
  })

  it("never cuts a surrogate pair", () => {
    const parts = splitMessage("a" + "😀".repeat(200), MAX_PLAINTEXT)
    expectWellFormedParts(parts, MAX_PLAINTEXT)
    expect(parts.map(bytes)).toEqual([445, 356])
  })

  it("keeps grapheme clusters whole when they fit", () => {
    const family = "👨‍👩‍👧‍👦" // 7 code points, 25 bytes
    const flag = "🇪🇸" // 2 regional indicators, 8 bytes
    const accented = "e\u0301\u0323" // 5 bytes
    for (const cluster of [family, flag, accented]) {
      const parts = splitMessage("x" + cluster.repeat(100), 60)
      expect(joinMessage(parts)).toBe("x" + cluster.repeat(100))
      expectWellFormedParts(parts, 60)
      for (const part of parts.slice(1)) expect(part.length % cluster.length).toBe(0)
    }
  })

  it("cuts a cluster longer than the limit between code points", () => {
    const zalgo = "Z" + "\u0336".repeat(300) // one grapheme of 601 bytes
    const parts = splitMessage(zalgo)
    expect(parts.map(bytes)).toEqual([445, 156])
    expect(joinMessage(parts)).toBe(zalgo)
  })

  it("refuses a limit that cannot hold every code point", () => {
    expect(() => splitMessage("abc", 3)).toThrow(RangeError)
    expect(() => splitMessage("abc", 4.5)).toThrow(RangeError)
  })

  it.prop(
    "cuts only between clusters (inside one only when it alone exceeds the limit), and only when full",
    [
      fc
        .array(fc.constantFrom(...PIECES), { maxLength: 60 })
        .map((pieces) => pieces.join("")),
      fc.integer({ min: 4, max: 40 })
    ],
    ([text, max]) => {
      const parts = splitMessage(text, max)
      expect(joinMessage(parts)).toBe(text)
      const clusters = [...clusterSegmenter.segment(text)]
      const clusterAt = (index: number) => clusters.findLast((c) => c.index <= index)!
      let cut = 0
      for (const part of parts.slice(0, -1)) {
        cut += part.length
        const cluster = clusterAt(cut)
        if (cluster.index === cut) {
          expect(bytes(part) + bytes(cluster.segment)).toBeGreaterThan(max)
        } else {
          expect(bytes(cluster.segment)).toBeGreaterThan(max)
          expect(bytes(part) + bytes(String.fromCodePoint(text.codePointAt(cut)!))).toBeGreaterThan(max)
        }
      }
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "split then join gives back any text; parts are valid UTF-8 of at most 446 bytes",
    [fc.fullUnicodeString({ maxLength: 1200 })],
    ([text]) => {
      const parts = splitMessage(text)
      expect(joinMessage(parts)).toBe(text)
      if (text !== "") expectWellFormedParts(parts, MAX_PLAINTEXT)
      expect(parts.length).toBeGreaterThanOrEqual(Math.ceil(bytes(text) / MAX_PLAINTEXT))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it.prop(
    "the same holds for small limits, which force cuts inside long clusters",
    [fc.fullUnicodeString({ maxLength: 200 }), fc.integer({ min: 4, max: 40 })],
    ([text, max]) => {
      const parts = splitMessage(text, max)
      expect(joinMessage(parts)).toBe(text)
      if (text !== "") expectWellFormedParts(parts, max)
    },
    { fastCheck: { numRuns: 1000 } }
  )
})
