import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import type { Packet, Side } from "../src/index.js"
import {
  ClientEnvelope,
  MAX_FRAME,
  PacketFramer,
  ServerEnvelope,
  encodeClientMessage,
  encodePacket,
  encodeServerMessage,
  framePackets
} from "../src/index.js"

const hex = (x: Uint8Array) => Buffer.from(x).toString("hex")
const view = (p: Packet) => [p.action, p.info, p.id, p.args.map(hex).join(",")].join("|")

/** Runs the framer over `bytes` cut at `cuts`; returns what a caller observes. */
const run = (side: Side, bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const framer = new PacketFramer(side)
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const packets: Array<string> = []
  let maxBuffered = 0
  let from = 0
  for (const to of [...points, bytes.length]) {
    for (const p of framer.push(bytes.subarray(from, to))) packets.push(view(p))
    maxBuffered = Math.max(maxBuffered, framer.buffered)
    from = to
  }
  return { packets, error: framer.error?.code, buffered: framer.buffered, maxBuffered }
}

const clientFrames = fc
  .array(Arbitrary.make(ClientEnvelope).filter((e) => e.id !== 0), { minLength: 1, maxLength: 6 })
  .map((es) => Buffer.concat(es.map((e) => encodePacket(encodeClientMessage(e.message, e.id)))))
const serverFrames = fc
  .array(Arbitrary.make(ServerEnvelope).map((e) => ({ ...e, id: e.id === 0 ? 1 : e.id })), { minLength: 1, maxLength: 6 })
  .map((es) => Buffer.concat(es.map((e) => encodePacket(encodeServerMessage(e.message, e.id)))))
const cuts = fc.array(fc.nat(), { maxLength: 40 })

describe("PacketFramer properties", () => {
  it.prop("output does not depend on chunking (client → server)", [clientFrames, cuts], ([bytes, cs]) => {
    const whole = run("server", bytes, [])
    expect(whole.error).toBeUndefined()
    const chunked = run("server", bytes, cs)
    expect({ packets: chunked.packets, error: chunked.error, buffered: chunked.buffered }).toEqual({
      packets: whole.packets,
      error: undefined,
      buffered: 0
    })
    const oneByOne = run("server", bytes, Array.from({ length: bytes.length }, (_, i) => i))
    expect(oneByOne.packets).toEqual(whole.packets)
    expect(oneByOne.buffered).toBe(0)
  }, { fastCheck: { numRuns: 60 } })

  it.prop("output does not depend on chunking (server → client)", [serverFrames, cuts], ([bytes, cs]) => {
    const whole = run("client", bytes, [])
    expect(whole.error).toBeUndefined()
    const chunked = run("client", bytes, cs)
    expect(chunked.packets).toEqual(whole.packets)
    expect(chunked.buffered).toBe(0)
  }, { fastCheck: { numRuns: 60 } })

  const noise = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    // valid frames with a few bytes overwritten reach the deeper checks
    fc
      .tuple(clientFrames, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([bytes, edits]) => {
        const out = Uint8Array.from(bytes)
        for (const [at, v] of edits) out[at % out.length] = v
        return out
      })
  )

  it.prop("arbitrary bytes give packets or a typed error, the same for any chunking, within bounded memory", [noise, cuts, fc.constantFrom<Side>("server", "client")], ([bytes, cs, side]) => {
    const whole = run(side, bytes, [])
    const chunked = run(side, bytes, cs)
    expect(chunked.packets).toEqual(whole.packets)
    expect(chunked.error).toBe(whole.error)
    expect(chunked.maxBuffered).toBeLessThanOrEqual(MAX_FRAME)
    if (whole.error !== undefined) expect(whole.buffered).toBe(0)
    else expect(whole.buffered).toBeLessThanOrEqual(MAX_FRAME)
  }, { fastCheck: { numRuns: 300 } })

  it.effect.prop("the Stream wrapper agrees with the framer for any chunking", [clientFrames, cuts], ([bytes, cs]) =>
    Effect.gen(function* () {
      const points = [...new Set(cs.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
      const pieces: Array<Uint8Array> = []
      let from = 0
      for (const to of [...points, bytes.length]) {
        pieces.push(bytes.subarray(from, to))
        from = to
      }
      const out = yield* Stream.fromIterable(pieces).pipe(Stream.rechunk(3), framePackets("server"), Stream.runCollect, Effect.either)
      expect(Either.isRight(out)).toBe(true)
      if (Either.isRight(out)) expect(Chunk.toArray(out.right).map(view)).toEqual(run("server", bytes, []).packets)
    }), { fastCheck: { numRuns: 15 } })
})
