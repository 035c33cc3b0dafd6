/**
 * Incremental framing of a byte stream into packets.
 *
 * `PacketFramer` is plain synchronous code for the hot path (the server's relay runs every MSG
 * through it): complete frames inside a chunk become packets whose arguments are views into that
 * chunk; only a frame split across chunks is copied, into a buffer of exactly its size.
 */
import { Channel, Chunk, Stream } from "effect"
import { ErrorCode, FRAME_OVERHEAD, HEADER_SIZE, MAX_FRAME } from "./constants.js"
import type { MutableHeader } from "./header.js"
import { decodeHeaderInto } from "./header.js"
import type { Packet, ProtocolError, Side } from "./packet.js"
import { checkHeader, protocolError, splitPayload } from "./packet.js"

export interface PacketFramerOptions {
  /** Largest frame accepted, header included (default and maximum: 10 + 16383 bytes). */
  readonly maxBuffered?: number
}

const NO_ARGS: ReadonlyArray<Uint8Array> = Object.freeze([]) as ReadonlyArray<Uint8Array>

export class PacketFramer {
  readonly side: Side
  private readonly maxFrame: number
  private readonly header: MutableHeader = { version: 0, action: 0, info: 0, args: 0, len: 0, id: 0 }
  /** The header bytes of a frame whose first 8 bytes have not all arrived yet. */
  private readonly scratch = new Uint8Array(HEADER_SIZE)
  /** The frame being assembled across chunks (exactly its size), once its header is known. */
  private frame: Uint8Array | undefined = undefined
  private filled = 0
  private failure: ProtocolError | undefined = undefined

  constructor(side: Side, opts?: PacketFramerOptions) {
    this.side = side
    this.maxFrame = Math.min(opts?.maxBuffered ?? MAX_FRAME, MAX_FRAME)
  }

  /** Set once the input broke the protocol; `push` then returns `[]` for ever. */
  get error(): ProtocolError | undefined {
    return this.failure
  }

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.filled
  }

  /**
   * Feeds the next chunk and returns the packets it completes, in order. When the chunk breaks
   * the protocol, the packets complete before the fault are still returned and `error` is set:
   * check it after every call.
   */
  push(chunk: Uint8Array): Array<Packet> {
    const out: Array<Packet> = []
    if (this.failure !== undefined) return out
    let off = 0
    const end = chunk.length
    if (this.filled > 0) {
      off = this.continuePending(chunk, out)
      if (off < 0) return out
    }
    const h = this.header
    while (off < end) {
      const avail = end - off
      if (avail < HEADER_SIZE) {
        this.scratch.set(chunk.subarray(off, end), 0)
        this.filled = avail
        return out
      }
      decodeHeaderInto(chunk, off, h)
      if (!this.accept(h)) return out
      const size = FRAME_OVERHEAD + h.len
      if (avail < size) {
        const frame = new Uint8Array(size)
        frame.set(chunk.subarray(off, end), 0)
        this.frame = frame
        this.filled = avail
        return out
      }
      if (!this.emit(chunk, off, size, out)) return out
      off += size
    }
    return out
  }

  /** Completes the pending frame from `chunk`; returns the offset reached, or -1 to stop. */
  private continuePending(chunk: Uint8Array, out: Array<Packet>): number {
    let off = 0
    const end = chunk.length
    const h = this.header
    if (this.frame === undefined) {
      const take = Math.min(HEADER_SIZE - this.filled, end)
      this.scratch.set(chunk.subarray(0, take), this.filled)
      this.filled += take
      off = take
      if (this.filled < HEADER_SIZE) return -1
      decodeHeaderInto(this.scratch, 0, h)
      if (!this.accept(h)) return -1
      const frame = new Uint8Array(FRAME_OVERHEAD + h.len)
      frame.set(this.scratch, 0)
      this.frame = frame
    }
    const frame = this.frame
    const take = Math.min(frame.length - this.filled, end - off)
    frame.set(chunk.subarray(off, off + take), this.filled)
    this.filled += take
    off += take
    if (this.filled < frame.length) return -1
    this.frame = undefined
    this.filled = 0
    return this.emit(frame, 0, frame.length, out) ? off : -1
  }

  /** Header checks; on failure records the error and drops any buffered bytes. */
  private accept(h: MutableHeader): boolean {
    const error = checkHeader(this.side, h)
    if (error !== undefined) return this.fail(error)
    if (FRAME_OVERHEAD + h.len > this.maxFrame)
      return this.fail(
        protocolError(ErrorCode.MAXSIZE, `frame of ${FRAME_OVERHEAD + h.len} bytes exceeds the limit of ${this.maxFrame}`)
      )
    return true
  }

  /** Splits the complete frame at `buf[off, off+size)` into a packet (header already in `this.header`). */
  private emit(buf: Uint8Array, off: number, size: number, out: Array<Packet>): boolean {
    const h = this.header
    if (h.args === 0) {
      out.push({ action: h.action, info: h.info, id: h.id, args: NO_ARGS })
      return true
    }
    const args = splitPayload(h, buf, off + FRAME_OVERHEAD, off + size)
    if (!Array.isArray(args)) return this.fail(args)
    out.push({ action: h.action, info: h.info, id: h.id, args })
    return true
  }

  private fail(error: ProtocolError): false {
    this.failure = error
    this.frame = undefined
    this.filled = 0
    return false
  }
}

/**
 * Frames a byte stream into packets. Correct for any chunking; holds at most one frame; fails
 * with the framer's ProtocolError on malformed input (after emitting the packets before it), and
 * with ERR_CONN when the input ends inside a frame. Errors of the input stream pass through.
 */
export const framePackets =
  (side: Side, opts?: PacketFramerOptions) =>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Packet, E | ProtocolError, R> =>
    Stream.suspend(() => {
      const framer = new PacketFramer(side, opts)
      const loop: Channel.Channel<Chunk.Chunk<Packet>, Chunk.Chunk<Uint8Array>, ProtocolError, unknown, unknown, unknown> =
        Channel.readWith({
          onInput: (input: Chunk.Chunk<Uint8Array>) => {
            const packets: Array<Packet> = []
            for (const bytes of input) {
              const ps = framer.push(bytes)
              for (let i = 0; i < ps.length; i++) packets.push(ps[i])
              if (framer.error !== undefined) break
            }
            const next = framer.error === undefined ? loop : Channel.fail(framer.error)
            return packets.length === 0 ? next : Channel.zipRight(Channel.write(Chunk.unsafeFromArray(packets)), next)
          },
          // never reached: pipeThroughChannelOrFail re-raises the input's failures around this channel
          onFailure: () => Channel.void,
          onDone: () =>
            framer.buffered > 0
              ? Channel.fail(
                  protocolError(ErrorCode.CONN, `input ended inside a frame (${framer.buffered} bytes buffered)`)
                )
              : Channel.void
        })
      return Stream.pipeThroughChannelOrFail(self, loop)
    })
