/**
 * Timestamps: Unix seconds as Go's `binary.AppendVarint` writes them — zig-zag (n << 1, or
 * ~(n << 1) for negatives) then unsigned LEB128, 7 bits a byte, least significant first, high
 * bit set on every byte but the last. A 2025 date takes 5 bytes (1754476540 → f8 bf 99 89 0d).
 */
import { ParseResult, Schema } from "effect"

/** Go's binary.MaxVarintLen64. */
const MAX_VARINT_LEN = 10
const TWO_POW_49 = 2 ** 49
/** Seconds Date can represent (±8.64e15 ms). */
export const MAX_STAMP_SECONDS = 8_640_000_000_000

const encodeBig = (n: bigint): Uint8Array => {
  const x = BigInt.asIntN(64, n)
  let ux = BigInt.asUintN(64, x << 1n)
  if (x < 0n) ux = BigInt.asUintN(64, ~ux)
  const out: Array<number> = []
  while (ux >= 0x80n) {
    out.push(Number(ux & 0x7fn) | 0x80)
    ux >>= 7n
  }
  out.push(Number(ux))
  return Uint8Array.from(out)
}

/** Go `binary.AppendVarint(nil, unixSeconds)`. Numbers are floored to whole seconds. */
export const encodeStamp = (unixSeconds: number | bigint): Uint8Array => {
  if (typeof unixSeconds === "bigint") return encodeBig(unixSeconds)
  const n = Math.floor(unixSeconds)
  if (!Number.isFinite(n)) throw new RangeError(`stamp ${unixSeconds} is not a finite number`)
  if (Math.abs(n) >= 2 ** 52) return encodeBig(BigInt(n))
  let ux = n >= 0 ? n * 2 : -n * 2 - 1
  let size = 1
  for (let v = ux; v >= 0x80; v = Math.floor(v / 128)) size++
  const out = new Uint8Array(size)
  for (let i = 0; i < size - 1; i++) {
    out[i] = (ux % 128) | 0x80
    ux = Math.floor(ux / 128)
  }
  out[size - 1] = ux
  return out
}

/**
 * Go `binary.ReadVarint`: the signed value of the leading varint; undefined when the bytes are
 * empty, end inside the varint, or overflow 64 bits. Bytes after the varint are ignored. Values
 * beyond ±2^53 come back rounded to the nearest double.
 */
export const decodeStamp = (bytes: Uint8Array): number | undefined => {
  let ux = 0
  let scale = 1
  const n = Math.min(bytes.length, MAX_VARINT_LEN)
  for (let i = 0; i < n; i++) {
    const b = bytes[i]
    if (b < 0x80) {
      if (i === MAX_VARINT_LEN - 1 && b > 1) return undefined
      if (scale >= TWO_POW_49) return decodeBig(bytes, i)
      ux += b * scale
      // zig-zag: even → n/2, odd → -(n+1)/2
      return ux % 2 === 0 ? ux / 2 : -(ux + 1) / 2
    }
    ux += (b & 0x7f) * scale
    scale *= 128
  }
  return undefined
}

const decodeBig = (bytes: Uint8Array, last: number): number => {
  let ux = 0n
  for (let i = last; i >= 0; i--) ux = (ux << 7n) | BigInt(bytes[i] & 0x7f)
  const x = BigInt.asIntN(64, ux >> 1n)
  return Number((ux & 1n) === 0n ? x : ~x)
}

/** A Date holding whole seconds inside the range Date can represent. */
export const StampDate = Schema.DateFromSelf.pipe(
  Schema.filter((d) => {
    const ms = d.getTime()
    return Number.isFinite(ms) && ms % 1000 === 0 ? true : "a valid Date with whole seconds"
  }),
  Schema.annotations({
    identifier: "StampDate",
    arbitrary: () => (fc) =>
      fc.integer({ min: -MAX_STAMP_SECONDS, max: MAX_STAMP_SECONDS }).map((s) => new Date(s * 1000))
  })
)

/** The Date of a stamp argument, or undefined when it is not a valid varint or Date. */
export const stampToDate = (bytes: Uint8Array): Date | undefined => {
  const s = decodeStamp(bytes)
  if (s === undefined || Math.abs(s) > MAX_STAMP_SECONDS) return undefined
  return new Date(s * 1000)
}

/** The stamp argument of a Date (floored to whole seconds). */
export const dateToStamp = (date: Date): Uint8Array => encodeStamp(Math.floor(date.getTime() / 1000))

/** A stamp argument (Go varint bytes) ↔ Date in whole seconds. */
export const Stamp = Schema.transformOrFail(Schema.Uint8ArrayFromSelf, StampDate, {
  strict: true,
  decode: (bytes, _, ast) => {
    const date = stampToDate(bytes)
    return date === undefined
      ? ParseResult.fail(new ParseResult.Type(ast, bytes, "not a Go varint Unix timestamp"))
      : ParseResult.succeed(date)
  },
  encode: (date, _, ast) =>
    Number.isFinite(date.getTime())
      ? ParseResult.succeed(dateToStamp(date))
      : ParseResult.fail(new ParseResult.Type(ast, date, "invalid Date"))
}).annotations({ identifier: "Stamp" })
