import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { Stamp, decodeStamp, encodeStamp } from "../src/index.js"
import { loadGolden } from "./golden.js"

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const bytes = (h: string) => Uint8Array.from(Buffer.from(h, "hex"))

/** Reference Go AppendVarint over BigInt, written independently of the implementation. */
const goVarint = (n: bigint): string => {
  let ux = BigInt.asUintN(64, n << 1n)
  if (n < 0n) ux = BigInt.asUintN(64, ~ux)
  const out: Array<number> = []
  do {
    const b = Number(ux & 0x7fn)
    ux >>= 7n
    out.push(ux > 0n ? b | 0x80 : b)
  } while (ux > 0n)
  return hex(Uint8Array.from(out))
}

describe("stamp", () => {
  it("encodes like Go binary.AppendVarint", () => {
    expect(hex(encodeStamp(1754476540))).toBe("f8bf99890d")
    expect(hex(encodeStamp(0))).toBe("00")
    expect(hex(encodeStamp(-1))).toBe("01")
    expect(hex(encodeStamp(1))).toBe("02")
    expect(hex(encodeStamp(63))).toBe("7e")
    expect(hex(encodeStamp(-64))).toBe("7f")
    expect(hex(encodeStamp(64))).toBe("8001")
    expect(hex(encodeStamp(2n ** 63n - 1n))).toBe("feffffffffffffffff01")
    expect(hex(encodeStamp(-(2n ** 63n)))).toBe("ffffffffffffffffff01")
  })

  it("decodes like Go binary.ReadVarint", () => {
    expect(decodeStamp(bytes("f8bf99890d"))).toBe(1754476540)
    expect(decodeStamp(bytes("f8bf99890d0d0a"))).toBe(1754476540) // trailing bytes ignored
    expect(decodeStamp(bytes(""))).toBeUndefined()
    expect(decodeStamp(bytes("f8bf"))).toBeUndefined() // ends inside the varint
    expect(decodeStamp(bytes("ffffffffffffffffff02"))).toBeUndefined() // overflows 64 bits
    expect(decodeStamp(bytes("ffffffffffffffffffff01"))).toBeUndefined() // 11 bytes
    expect(decodeStamp(bytes("feffffffffffffffff01"))).toBe(Number(2n ** 63n - 1n))
  })

  it("agrees with the golden stamps", () => {
    let seen = 0
    for (const g of loadGolden())
      for (const a of g.args)
        if (a.kind === "stamp") {
          expect(hex(encodeStamp(a.seconds))).toBe(a.hex)
          expect(decodeStamp(bytes(a.hex))).toBe(a.seconds)
          seen++
        }
    expect(seen).toBeGreaterThanOrEqual(5)
  })

  it.prop("matches a BigInt reference and round-trips any 64-bit value", [fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })], ([n]) => {
    const encoded = encodeStamp(n)
    expect(hex(encoded)).toBe(goVarint(n))
    expect(decodeStamp(encoded)).toBe(Number(n))
    if (n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER))
      expect(hex(encodeStamp(Number(n)))).toBe(hex(encoded))
  })

  it.prop("never throws on arbitrary bytes", [fc.uint8Array({ maxLength: 12 })], ([b]) => {
    const v = decodeStamp(b)
    expect(v === undefined || Number.isFinite(v)).toBe(true)
  })

  it("Stamp schema maps varint bytes to whole-second Dates and back", () => {
    const date = Schema.decodeUnknownSync(Stamp)(bytes("f8bf99890d"))
    expect(date.toISOString()).toBe(new Date(1754476540 * 1000).toISOString())
    expect(hex(Schema.encodeSync(Stamp)(date))).toBe("f8bf99890d")
    expect(Either.isLeft(Schema.decodeUnknownEither(Stamp)(bytes("ff")))).toBe(true)
    expect(Either.isLeft(Schema.encodeEither(Stamp)(new Date(1500)))).toBe(true)
  })
})
