/**
 * Micro-benchmarks of @gochat/protocol on the relay's hot path: MSG frames carrying a 512-byte
 * ciphertext (RSA-4096), as the server reads and writes them millions of times.
 * Rates are per CPU second of this process (one core), so a busy machine does not skew them.
 * Standalone: `pnpm exec tsx apps/bench/src/codec.ts` prints one line per measurement.
 */
import { randomBytes } from "node:crypto"
import { pathToFileURL } from "node:url"
import type { Packet } from "@gochat/protocol"
import {
  Action,
  EMPTY_INFO,
  PacketFramer,
  decodeClientMessageOrError,
  encodePacket,
  encodeStamp,
  packetSize,
  writePacket
} from "@gochat/protocol"

export interface CodecBenchResult {
  readonly name: string
  readonly ops: number
  readonly opsPerSec: number
  readonly mbPerSec: number
}

/** Size of a socket read the decode benchmarks feed the framer (frames straddle reads). */
const READ_SIZE = 64 * 1024
/** Frames in the decode input (about 4 MiB). */
const STREAM_FRAMES = 8192

const msgPacket = (id: number): Packet => ({
  action: Action.MSG,
  info: EMPTY_INFO,
  id,
  args: [Buffer.from("bob"), encodeStamp(Math.floor(Date.now() / 1000)), randomBytes(512)]
})

/** CPU time (user + system) this process has used, in ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * Runs `round` (which performs `perRound` operations over `bytesPerRound` bytes) repeatedly for
 * at least `ms` milliseconds of CPU time after a warm-up, and reports throughput per CPU second:
 * the rate one core sustains, whatever else the machine is running.
 */
const measure = (
  name: string,
  perRound: number,
  bytesPerRound: number,
  round: () => void,
  ms = 1000
): CodecBenchResult => {
  const warmUntil = cpuMs() + ms / 4
  while (cpuMs() < warmUntil) round()
  let rounds = 0
  const start = cpuMs()
  let elapsed = 0
  do {
    round()
    rounds++
    elapsed = cpuMs() - start
  } while (elapsed < ms)
  const seconds = elapsed / 1000
  const ops = rounds * perRound
  return {
    name,
    ops,
    opsPerSec: Math.round(ops / seconds),
    mbPerSec: Math.round(((rounds * bytesPerRound) / seconds / 1e6) * 10) / 10
  }
}

/** Keeps results observable so the work is not optimised away. */
let sink = 0

export interface CodecBenchOptions {
  /** CPU milliseconds measured per case, after a warm-up of a quarter of that (default 1000). */
  readonly msPerCase?: number
}

export const runCodecBench = async (opts: CodecBenchOptions = {}): Promise<Array<CodecBenchResult>> => {
  const ms = opts.msPerCase ?? 1000
  const msg = msgPacket(17)
  const frameSize = packetSize(msg)
  const frames = Array.from({ length: STREAM_FRAMES }, (_, i) => encodePacket(msgPacket((i % 1022) + 1)))
  const stream = Buffer.concat(frames)
  const reads: Array<Uint8Array> = []
  for (let off = 0; off < stream.length; off += READ_SIZE) reads.push(stream.subarray(off, off + READ_SIZE))
  const results: Array<CodecBenchResult> = []
  const sender = Buffer.from("alice")

  const ENCODE_BATCH = 1000
  results.push(
    measure(`encodePacket MSG (${frameSize} B frame)`, ENCODE_BATCH, ENCODE_BATCH * frameSize, () => {
      for (let i = 0; i < ENCODE_BATCH; i++) sink += encodePacket(msg).length
    }, ms)
  )

  const batch = Buffer.allocUnsafe(ENCODE_BATCH * frameSize)
  results.push(
    measure(`writePacket MSG into a batch buffer`, ENCODE_BATCH, ENCODE_BATCH * frameSize, () => {
      let off = 0
      for (let i = 0; i < ENCODE_BATCH; i++) off = writePacket(msg, batch, off)
      sink += off
    }, ms)
  )

  results.push(
    measure(`frame MSG from ${READ_SIZE / 1024} KiB reads`, STREAM_FRAMES, stream.length, () => {
      const framer = new PacketFramer("server")
      for (const read of reads) sink += framer.push(read).length
    }, ms)
  )

  results.push(
    measure(`frame + decode MSG (typed)`, STREAM_FRAMES, stream.length, () => {
      const framer = new PacketFramer("server")
      for (const read of reads) {
        const packets = framer.push(read)
        for (let i = 0; i < packets.length; i++) {
          const m = decodeClientMessageOrError(packets[i])
          if (m._tag === "Msg") sink += m.ciphertext.length
        }
      }
    }, ms)
  )

  results.push(
    measure(`relay MSG → RECIV (frame + encode)`, STREAM_FRAMES, stream.length, () => {
      const framer = new PacketFramer("server")
      for (const read of reads) {
        const packets = framer.push(read)
        for (let i = 0; i < packets.length; i++) {
          const p = packets[i]
          // RECIV(Null ID) [sender, stamp bytes verbatim, ciphertext verbatim]
          sink += encodePacket({ action: Action.RECIV, info: EMPTY_INFO, id: 0, args: [sender, p.args[1], p.args[2]] }).length
        }
      }
    }, ms)
  )

  if (sink === -1) console.log(sink)
  return results
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href

if (isMain) {
  const results = await runCodecBench()
  for (const r of results)
    console.log(
      `${r.name.padEnd(44)} ${r.opsPerSec.toLocaleString("en-US").padStart(12)} ops/s/core ${r.mbPerSec.toFixed(1).padStart(9)} MB/s  (${r.ops.toLocaleString("en-US")} ops)`
    )
}
