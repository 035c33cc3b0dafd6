/**
 * The 8-byte header, a big-endian 64-bit word:
 *
 * | bits  | width | field    |
 * |-------|-------|----------|
 * | 63-60 | 4     | version  |
 * | 59-52 | 8     | action   |
 * | 51-44 | 8     | info     |
 * | 43-40 | 4     | args     |
 * | 39-26 | 14    | len      |
 * | 25-16 | 10    | id       |
 * | 15-0  | 16    | reserved (written 0xFFFF, never read) |
 *
 * The word is handled as two 32-bit halves so no BigInt is needed.
 */
import { NULL_OP, isAction } from "./constants.js"

export interface Header {
  /** 4 bits. */
  readonly version: number
  /** 8 bits; decoded as 0 (NULL_OP) when the code is not a known action. */
  readonly action: number
  /** 8 bits. */
  readonly info: number
  /** 4 bits: number of arguments. */
  readonly args: number
  /** 14 bits: payload length, every argument plus its CRLF (the header's CRLF excluded). */
  readonly len: number
  /** 10 bits. */
  readonly id: number
}

/**
 * Writes the 8 header bytes at `offset`. Fields are masked to their widths; range checks are the
 * caller's job (`encodePacket` does them). Reserved bits are written as 0xFFFF.
 */
export const encodeHeader = (h: Header, out: Uint8Array, offset: number): void => {
  const len = h.len & 0x3fff
  const id = h.id & 0x3ff
  out[offset] = ((h.version & 0xf) << 4) | ((h.action >>> 4) & 0xf)
  out[offset + 1] = ((h.action & 0xf) << 4) | ((h.info >>> 4) & 0xf)
  out[offset + 2] = ((h.info & 0xf) << 4) | (h.args & 0xf)
  out[offset + 3] = len >>> 6
  out[offset + 4] = ((len & 0x3f) << 2) | (id >>> 8)
  out[offset + 5] = id & 0xff
  out[offset + 6] = 0xff
  out[offset + 7] = 0xff
}

/** The action byte exactly as sent, even when it is not a known action. */
export const rawActionCode = (buf: Uint8Array, offset: number): number =>
  ((buf[offset] & 0xf) << 4) | (buf[offset + 1] >>> 4)

/**
 * Reads the 8 header bytes at `offset` (the caller guarantees they are there). Never throws;
 * reserved bits are ignored and an unknown action code decodes as 0, like the original.
 */
export const decodeHeader = (buf: Uint8Array, offset: number): Header => {
  const b0 = buf[offset]
  const b1 = buf[offset + 1]
  const b2 = buf[offset + 2]
  const b3 = buf[offset + 3]
  const b4 = buf[offset + 4]
  const action = ((b0 & 0xf) << 4) | (b1 >>> 4)
  return {
    version: b0 >>> 4,
    action: isAction(action) ? action : NULL_OP,
    info: ((b1 & 0xf) << 4) | (b2 >>> 4),
    args: b2 & 0xf,
    len: (b3 << 6) | (b4 >>> 2),
    id: ((b4 & 0x3) << 8) | buf[offset + 5]
  }
}

/** A Header whose fields can be overwritten: lets a reader reuse one object for every frame. */
export type MutableHeader = { -readonly [K in keyof Header]: Header[K] }

/** `decodeHeader` into an existing object (no allocation); returns it. */
export const decodeHeaderInto = (buf: Uint8Array, offset: number, into: MutableHeader): MutableHeader => {
  const b0 = buf[offset]
  const b1 = buf[offset + 1]
  const b2 = buf[offset + 2]
  const b4 = buf[offset + 4]
  const action = ((b0 & 0xf) << 4) | (b1 >>> 4)
  into.version = b0 >>> 4
  into.action = isAction(action) ? action : NULL_OP
  into.info = ((b1 & 0xf) << 4) | (b2 >>> 4)
  into.args = b2 & 0xf
  into.len = (buf[offset + 3] << 6) | (b4 >>> 2)
  into.id = ((b4 & 0x3) << 8) | buf[offset + 5]
  return into
}
