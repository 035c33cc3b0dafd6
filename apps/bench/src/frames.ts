/**
 * Pre-encoded MSG frames. A frame is built once per (sender, destination) as a template; sending message `seq`
 * copies the template and patches the 10-bit request ID in the header and the sequence number in the body.
 *
 * Body layout (any size >= 16): 4 hex digits of the sender index, 8 hex digits of the sequence number, then
 * random bytes that are never CR or LF (so the frame is valid for the original's CRLF splitting too).
 */
import { randomBytes } from "node:crypto"
import { Action, EMPTY_INFO, encodePacket, encodeStamp } from "@gochat/protocol"
import { bytes } from "./conn.js"

export const BODY_MIN = 16
const HEX = Buffer.from("0123456789abcdef", "latin1")

export const randomBody = (size: number): Buffer => {
  const b = randomBytes(Math.max(BODY_MIN, size))
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0d || b[i] === 0x0a) b[i] = 0x20
  return b
}

const writeHex = (buf: Uint8Array, off: number, value: number, digits: number) => {
  for (let i = digits - 1; i >= 0; i--) {
    buf[off + i] = HEX[value & 0xf]
    value >>>= 4
  }
}

const hexVal = (c: number): number => (c <= 0x39 ? c - 0x30 : c - 0x57)

export const readHex = (buf: Uint8Array, off: number, digits: number): number => {
  let v = 0
  for (let i = 0; i < digits; i++) v = v * 16 + hexVal(buf[off + i])
  return v
}

/** Sender index and sequence number from a received body; -1 when it is not one of ours. */
export const bodySender = (body: Uint8Array): number => (body.length >= BODY_MIN ? readHex(body, 0, 4) : -1)
export const bodySeq = (body: Uint8Array): number => (body.length >= BODY_MIN ? readHex(body, 4, 8) : -1)

export class MsgTemplate {
  readonly frame: Uint8Array
  readonly size: number
  private readonly seqOffset: number

  constructor(dest: string, senderIndex: number, bodySize: number, stampSeconds = Math.floor(Date.now() / 1000)) {
    const body = randomBody(bodySize)
    writeHex(body, 0, senderIndex, 4)
    writeHex(body, 4, 0, 8)
    this.frame = encodePacket({ action: Action.MSG, info: EMPTY_INFO, id: 1, args: [bytes(dest), encodeStamp(stampSeconds), body] })
    this.size = this.frame.length
    // the body is the last argument: it ends 2 bytes (CRLF) before the end of the frame
    this.seqOffset = this.size - 2 - body.length + 4
  }

  /** Writes message `seq` with request ID `id` (1..1023) at `out[off]`. */
  writeTo(out: Uint8Array, off: number, id: number, seq: number): void {
    out.set(this.frame, off)
    // header byte 4 = (len & 0x3f) << 2 | id >> 8, byte 5 = id & 0xff
    out[off + 4] = (out[off + 4] & 0xfc) | ((id >>> 8) & 0x3)
    out[off + 5] = id & 0xff
    writeHex(out, off + this.seqOffset, seq, 8)
  }
}

/** Request IDs for the hot path: 1..1022 by sequence number. */
export const idForSeq = (seq: number): number => (seq % 1022) + 1
