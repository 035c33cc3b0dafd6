import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import type { Packet, Side } from "../src/index.js"
import {
  Action,
  ErrorCode,
  MAX_ARG_CONTENT,
  PacketFramer,
  encodePacket,
  framePackets
} from "../src/index.js"
import { golden, loadGolden, text } from "./golden.js"

const hex = (x: Uint8Array) => Buffer.from(x).toString("hex")
const concat = (parts: ReadonlyArray<Uint8Array>) => Uint8Array.from(Buffer.concat(parts))
const sideOf = (dir: "c2s" | "s2c"): Side => (dir === "c2s" ? "server" : "client")

/** Frames `bytes` fed in pieces of the given sizes (cycled). */
const frameIn = (side: Side, bytes: Uint8Array, sizes: ReadonlyArray<number>) => {
  const framer = new PacketFramer(side)
  const packets: Array<Packet> = []
  let off = 0
  let i = 0
  while (off < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length])
    packets.push(...framer.push(bytes.subarray(off, off + n)))
    off += n
  }
  return { packets, framer }
}

const view = (p: Packet) => ({ action: p.action, info: p.info, id: p.id, args: p.args.map(hex) })

describe("PacketFramer on the golden frames", () => {
  const frames = loadGolden()

  it("decodes each frame to the header and arguments in its notes and re-encodes it byte for byte", () => {
    for (const g of frames) {
      if (g.file === "badver_c2s.hex") continue
      const framer = new PacketFramer(sideOf(g.direction))
      const packets = framer.push(g.bytes)
      expect({ file: g.file, error: framer.error }).toEqual({ file: g.file, error: undefined })
      expect(packets.length).toBe(1)
      const p = packets[0]
      expect({ file: g.file, action: p.action, info: p.info, id: p.id, args: p.args.length }).toEqual({
        file: g.file,
        action: g.header.action,
        info: g.header.info,
        id: g.header.id,
        args: g.header.args
      })
      for (const a of g.args) {
        const arg = p.args[a.index]
        if (g.file === "msg_crlf_c2s.hex" && a.index === 2) continue // checked below: the note gives Go's broken split
        expect({ file: g.file, index: a.index, length: arg.length }).toEqual({ file: g.file, index: a.index, length: a.length })
        if (a.kind === "text") {
          if (a.complete) expect(text(arg)).toBe(a.text)
          else expect(text(arg).startsWith(a.text)).toBe(true)
        } else if (a.kind === "stamp") expect(hex(arg)).toBe(a.hex)
        else if (a.kind === "perm") expect(arg[0]).toBe(a.value)
      }
      expect(hex(encodePacket(p))).toBe(hex(g.bytes))
      expect(framer.buffered).toBe(0)
    }
  })

  it("reads msg_crlf_c2s with its 512-byte ciphertext intact (the original rejected it)", () => {
    const g = golden("msg_crlf_c2s.hex")
    const framer = new PacketFramer("server")
    const [p] = framer.push(g.bytes)
    expect(framer.error).toBeUndefined()
    expect(text(p.args[0])).toBe("bob")
    expect(hex(p.args[1])).toBe("bad6b6b00d")
    expect(p.args[2].length).toBe(512)
    expect(hex(p.args[2])).toBe(hex(g.bytes.subarray(10 + 5 + 7, g.bytes.length - 2)))
    expect(Buffer.from(p.args[2]).indexOf("\r\n")).toBeGreaterThanOrEqual(0)
    expect(hex(encodePacket(p))).toBe(hex(g.bytes))
  })

  it("rejects the version-2 header with ERR_VERSION", () => {
    const framer = new PacketFramer("server")
    expect(framer.push(golden("badver_c2s.hex").bytes)).toEqual([])
    expect(framer.error?.code).toBe(ErrorCode.VERSION)
  })

  it("gives the same packets for one byte at a time, odd chunks and the whole stream at once", () => {
    for (const dir of ["c2s", "s2c"] as const) {
      const stream = concat(frames.filter((g) => g.direction === dir && g.file !== "badver_c2s.hex").map((g) => g.bytes))
      const whole = frameIn(sideOf(dir), stream, [stream.length])
      expect(whole.framer.error).toBeUndefined()
      expect(whole.packets.length).toBe(frames.filter((g) => g.direction === dir).length - (dir === "c2s" ? 1 : 0))
      for (const sizes of [[1], [7, 3, 1000, 2], [9], [10], [11], [513, 1]]) {
        const r = frameIn(sideOf(dir), stream, sizes)
        expect(r.framer.error).toBeUndefined()
        expect(r.framer.buffered).toBe(0)
        expect(r.packets.map(view)).toEqual(whole.packets.map(view))
      }
    }
  })
})

describe("PacketFramer errors", () => {
  const header = (bytes: string) => Uint8Array.from(Buffer.from(bytes, "hex"))

  it("rejects a bad header as soon as its 8 bytes arrive, before any payload", () => {
    const framer = new PacketFramer("server")
    // MSG with Null ID and a 526-byte payload announced
    const frame = header("10bff3083800ffff")
    expect(framer.push(frame.subarray(0, 5))).toEqual([])
    expect(framer.error).toBeUndefined()
    expect(framer.buffered).toBe(5)
    expect(framer.push(frame.subarray(5))).toEqual([])
    expect(framer.error?.code).toBe(ErrorCode.HEADER)
    expect(framer.buffered).toBe(0)
    expect(framer.push(golden("keep.hex").bytes)).toEqual([])
  })

  it("returns the packets before a fault, then nothing", () => {
    const framer = new PacketFramer("server")
    const keep = golden("keep.hex").bytes
    const packets = framer.push(concat([keep, keep, header("20a000000005ffff0d0a"), keep]))
    expect(packets.map((p) => p.action)).toEqual([Action.KEEP, Action.KEEP])
    expect(framer.error?.code).toBe(ErrorCode.VERSION)
    expect(framer.push(keep)).toEqual([])
  })

  it("turns the original's crash and desync cases into typed errors (S1, S2, S3)", () => {
    const run = (side: Side, h: string, payload = "") => {
      const framer = new PacketFramer(side)
      const out = framer.push(Uint8Array.from(Buffer.from(h + "0d0a" + payload, "hex")))
      return { n: out.length, code: framer.error?.code }
    }
    // S1: REG Args=3 Len=3 payload "a\r\n"
    expect(run("server", "104ff3000c05ffff", "610d0a")).toEqual({ n: 0, code: ErrorCode.ARGS })
    // S2: LOGIN Args=1 Len=0
    expect(run("server", "106ff1000005ffff")).toEqual({ n: 0, code: ErrorCode.MAXSIZE })
    // S3: KEEP Args=0 Len=3 (bytes would be read as the next header)
    expect(run("server", "103ff0000c05ffff", "610d0a")).toEqual({ n: 0, code: ErrorCode.MAXSIZE })
    // the client side gets the same treatment
    expect(run("client", "112ff1000000ffff")).toEqual({ n: 0, code: ErrorCode.MAXSIZE })
  })

  it("honours a smaller frame limit", () => {
    const framer = new PacketFramer("server", { maxBuffered: 100 })
    framer.push(golden("msg_online_c2s.hex").bytes.subarray(0, 8))
    expect(framer.error?.code).toBe(ErrorCode.MAXSIZE)
  })

  it("never holds more than one maximal frame", () => {
    const framer = new PacketFramer("client")
    const big = encodePacket({
      action: Action.USRS,
      info: 0xff,
      id: 3,
      args: Array.from({ length: 8 }, () => new Uint8Array(MAX_ARG_CONTENT).fill(0x61))
    })
    let max = 0
    for (let i = 0; i < big.length; i += 100) {
      framer.push(big.subarray(i, i + 100))
      max = Math.max(max, framer.buffered)
    }
    expect(framer.error).toBeUndefined()
    expect(max).toBeLessThan(big.length)
    expect(framer.buffered).toBe(0)
  })
})

describe("framePackets", () => {
  it.effect("frames a chunked stream and fails with a typed error on malformed input", () =>
    Effect.gen(function* () {
      const keep = golden("keep.hex").bytes
      const msg = golden("msg_crlf_c2s.hex").bytes
      const bytes = concat([keep, msg, keep])
      const pieces = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
      const packets = yield* Stream.fromIterable(pieces).pipe(framePackets("server"), Stream.runCollect)
      expect(Chunk.toArray(packets).map((p) => p.action)).toEqual([Action.KEEP, Action.MSG, Action.KEEP])

      const bad = yield* Stream.make(keep, golden("badver_c2s.hex").bytes, keep).pipe(
        framePackets("server"),
        Stream.runCollect,
        Effect.either
      )
      expect(Either.isLeft(bad) && bad.left._tag === "ProtocolError" && bad.left.code).toBe(ErrorCode.VERSION)

      const truncated = yield* Stream.make(keep, msg.subarray(0, 100)).pipe(
        framePackets("server"),
        Stream.runCollect,
        Effect.either
      )
      expect(Either.isLeft(truncated) && truncated.left._tag === "ProtocolError" && truncated.left.code).toBe(
        ErrorCode.CONN
      )
    })
  )

  it.effect("passes the input stream's own failure through unchanged", () =>
    Effect.gen(function* () {
      const keep = golden("keep.hex").bytes
      const result = yield* Stream.make(keep).pipe(
        Stream.concat(Stream.fail("socket reset" as const)),
        framePackets("server"),
        Stream.runCollect,
        Effect.either
      )
      expect(Either.isLeft(result) && result.left).toBe("socket reset")
    })
  )

  it.effect("emits the packets that precede a fault before failing", () =>
    Effect.gen(function* () {
      const keep = golden("keep.hex").bytes
      const seen: Array<number> = []
      const result = yield* Stream.make(concat([keep, keep, golden("badver_c2s.hex").bytes])).pipe(
        framePackets("server"),
        Stream.runForEach((p) => Effect.sync(() => seen.push(p.action))),
        Effect.either
      )
      expect(seen).toEqual([Action.KEEP, Action.KEEP])
      expect(Either.isLeft(result)).toBe(true)
    })
  )
})
