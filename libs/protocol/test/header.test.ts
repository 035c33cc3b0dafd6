import { describe, expect, it } from "@effect/vitest"
import { Action, ErrorCode, decodeHeader, encodeHeader, rawActionCode } from "../src/index.js"
import { loadGolden } from "./golden.js"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")

const headerHex = (h: { action: number; info: number; args: number; len: number; id: number }) => {
  const out = new Uint8Array(8)
  encodeHeader({ version: 1, ...h }, out, 0)
  return hex(out)
}

describe("header", () => {
  it("encodes the byte examples of the behaviour reference", () => {
    expect(headerHex({ action: Action.OK, info: 0xff, args: 0, len: 0, id: 5 })).toBe("101ff0000005ffff")
    expect(headerHex({ action: Action.ERR, info: ErrorCode.HEADER, args: 0, len: 0, id: 0 })).toBe("102070000000ffff")
    expect(headerHex({ action: Action.LOGIN, info: 0xff, args: 1, len: 7, id: 5 })).toBe("106ff1001c05ffff")
    expect(headerHex({ action: Action.USRS, info: 3, args: 0, len: 0, id: 9 })).toBe("10a030000009ffff")
    expect(headerHex({ action: Action.HELLO, info: 0xff, args: 1, len: 2, id: 0 })).toBe("112ff1000800ffff")
  })

  it("decodes every golden header to the fields in its notes", () => {
    const frames = loadGolden()
    expect(frames.length).toBe(46)
    for (const g of frames) {
      const h = decodeHeader(g.bytes, 0)
      expect({ file: g.file, ...h }).toEqual({ file: g.file, ...g.header })
      expect(hex(g.bytes.subarray(6, 8))).toBe("ffff")
    }
  })

  it("round-trips extreme field values and writes the reserved bits as 0xFFFF", () => {
    const h = { version: 15, action: 0x12, info: 0xab, args: 15, len: 16383, id: 1023 }
    const out = new Uint8Array(10).fill(0)
    encodeHeader(h, out, 2)
    expect(decodeHeader(out, 2)).toEqual(h)
    expect(out[8]).toBe(0xff)
    expect(out[9]).toBe(0xff)
    expect(out[0]).toBe(0)
  })

  it("ignores the reserved bits on read", () => {
    const out = new Uint8Array(8)
    encodeHeader({ version: 1, action: Action.MSG, info: 0xff, args: 3, len: 526, id: 23 }, out, 0)
    const before = decodeHeader(out, 0)
    out[6] = 0x12
    out[7] = 0x34
    expect(decodeHeader(out, 0)).toEqual(before)
  })

  it("decodes unknown action codes as 0 but keeps the raw byte available", () => {
    const out = new Uint8Array(8)
    encodeHeader({ version: 1, action: 0x42, info: 0xff, args: 0, len: 0, id: 1 }, out, 0)
    expect(decodeHeader(out, 0).action).toBe(0)
    expect(rawActionCode(out, 0)).toBe(0x42)
  })
})
