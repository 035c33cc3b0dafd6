/**
 * Relay throughput and latency: `pairs` sender→receiver pairs, each sender keeping at most `window` messages in
 * flight (sent but not yet both acknowledged by OK and received as RECIV), `messages` per pair, `size`-byte bodies.
 * With pairs=1, window=1 it is the ping-pong latency test. Optionally a probe user logs in and out repeatedly
 * during the run (a new login's latency under load).
 */
import { Action, errorName, type Packet } from "@gochat/protocol"
import { MsgTemplate, bodySender, bodySeq, idForSeq } from "../frames.js"
import type { BenchKey } from "../keys.js"
import { Samples, type Percentiles } from "../stats.js"
import type { RunningTarget } from "../target.js"
import { BenchConn } from "../conn.js"
import { connectAndLogin, login, logout, logoutAndClose } from "../users.js"
import { countError, meterSelf, monoUs, meterServer, meterServers, round2, type ServerUsage } from "./common.js"

export interface RelayOptions {
  readonly pairs: number
  readonly messages: number
  readonly window: number
  readonly size: number
  /** the measured phase is abandoned after this long (default 60 s) */
  readonly timeoutMs?: number
  /** a user that logs in/out in a loop during the run */
  readonly probeKey?: BenchKey
  /** called right before the first message is sent */
  readonly onStart?: () => void
  readonly name?: string
  /** receivers connect here instead of `target` (another instance of a clustered service) */
  readonly receiverTarget?: RunningTarget
  /** the processes whose CPU is the server's (default: `target`'s); summed */
  readonly serverPids?: ReadonlyArray<number | undefined>
}

export interface Delivery {
  /** messages the generator wrote */
  readonly sent: number
  /** OK replies */
  readonly acked: number
  /** distinct messages received */
  readonly received: number
  readonly duplicates: number
  readonly missing: number
  /** RECIVs that were not ours or out of range */
  readonly unexpected: number
  /** received with a lower sequence number than one already received from the same sender */
  readonly outOfOrder: number
  readonly exactlyOnce: boolean
}

export interface RelayResult {
  readonly scenario: string
  readonly params: { pairs: number; messages: number; window: number; size: number }
  readonly completed: boolean
  readonly abortReason?: string
  readonly elapsedMs: number
  readonly msgsPerSec: number
  /** send → RECIV arrival, ms */
  readonly latencyMs: Percentiles
  readonly delivery: Delivery
  readonly errors: Record<string, number>
  readonly server: ServerUsage | undefined
  readonly generator: { cpuUs: number; cpuUsPerUnit: number; cpuLoad: number }
  /** the measured phase on the monotonic clock (µs, as V8 .cpuprofile timestamps): for `profile.ts --results` */
  readonly monotonicUs: readonly [number, number]
  readonly loginUnderLoad?: { readonly count: number; readonly serverMs: Percentiles; readonly failures: number }
}

export const runRelay = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: RelayOptions): Promise<RelayResult> => {
  const P = o.pairs
  if (keys.length < 2 * P) throw new Error(`relay needs ${2 * P} keys, got ${keys.length}`)
  const senders = await connectAndLogin(target, keys.slice(0, P))
  let receivers: BenchConn[] = []
  let probe: BenchConn | undefined
  try {
    receivers = await connectAndLogin(o.receiverTarget ?? target, keys.slice(P, 2 * P))
    if (o.probeKey) probe = await BenchConn.connect(target)
    return await measure(target, keys, o, senders, receivers, probe)
  } finally {
    probe?.close()
    await logoutAndClose([...senders, ...receivers])
  }
}

const measure = async (
  target: RunningTarget,
  keys: ReadonlyArray<BenchKey>,
  o: RelayOptions,
  senders: BenchConn[],
  receivers: BenchConn[],
  probe: BenchConn | undefined
): Promise<RelayResult> => {
  const P = o.pairs
  const M = o.messages
  const W = Math.max(1, o.window)
  const templates = Array.from({ length: P }, (_, i) => new MsgTemplate(keys[P + i].username, i, o.size))
  const sent = new Int32Array(P)
  const acked = new Int32Array(P)
  const received = new Int32Array(P)
  const failed = new Int32Array(P) // ERR replies: those messages will never arrive
  const lastSeq = new Int32Array(P).fill(-1)
  const sendTimes = Array.from({ length: P }, () => new Float64Array(M))
  const seen = Array.from({ length: P }, () => new Uint8Array(M))
  const latency = new Samples(P * M)
  const errors: Record<string, number> = {}
  let duplicates = 0
  let unexpected = 0
  let outOfOrder = 0
  let pairsDone = 0
  const pairDone = new Uint8Array(P)
  let finish: (reason?: string) => void = () => {}
  const finished = new Promise<string | undefined>((res) => {
    finish = res
  })

  const refill = (i: number) => {
    const base = Math.min(acked[i], received[i] + failed[i])
    const limit = Math.min(M, base + W)
    const n = limit - sent[i]
    if (n <= 0) return
    const t = templates[i]
    const buf = Buffer.allocUnsafe(n * t.size)
    const now = performance.now()
    const times = sendTimes[i]
    for (let k = 0, seq = sent[i]; k < n; k++, seq++) {
      t.writeTo(buf, k * t.size, idForSeq(seq), seq)
      times[seq] = now
    }
    sent[i] = limit
    senders[i].write(buf)
  }
  const checkDone = (i: number) => {
    if (pairDone[i] === 0 && acked[i] >= M && received[i] + failed[i] >= M) {
      pairDone[i] = 1
      if (++pairsDone === P) finish()
    }
  }

  for (let i = 0; i < P; i++) {
    const s = senders[i]
    const r = receivers[i]
    s.onPacket = (p: Packet) => {
      if (p.action === Action.OK) acked[i]++
      else if (p.action === Action.ERR) {
        acked[i]++
        failed[i]++
        countError(errors, errorName(p.info))
      } else countError(errors, `sender got action ${p.action}`)
    }
    r.onPacket = (p: Packet) => {
      if (p.action !== Action.RECIV || p.args.length < 3) {
        countError(errors, p.action === Action.ERR ? errorName(p.info) : `receiver got action ${p.action}`)
        return
      }
      const body = p.args[2]
      const from = bodySender(body)
      const seq = bodySeq(body)
      if (from !== i || seq < 0 || seq >= M) {
        unexpected++
        return
      }
      if (seen[i][seq] !== 0) {
        duplicates++
        return
      }
      seen[i][seq] = 1
      received[i]++
      latency.add(performance.now() - sendTimes[i][seq])
      if (seq < lastSeq[i]) outOfOrder++
      else lastSeq[i] = seq
    }
    const after = () => {
      refill(i)
      checkDone(i)
    }
    s.afterChunk = after
    r.afterChunk = after
    for (const c of [s, r]) c.whenClosed().then(() => finish(`connection of pair ${i} closed: ${c.closedReason}`))
  }

  // a new login's latency while the relay runs
  let probeStop = false
  const probeSamples = new Samples(64)
  let probeFailures = 0
  const probeLoop = async () => {
    if (!probe || !o.probeKey) return
    do {
      try {
        const t = await login(probe, o.probeKey)
        probeSamples.add(t.serverMs)
        await logout(probe)
      } catch {
        probeFailures++
        if (probe.closedReason !== undefined) return
      }
      if (!probeStop) await new Promise((r) => setTimeout(r, 100))
    } while (!probeStop)
  }

  const server = o.serverPids === undefined ? meterServer(target) : meterServers(o.serverPids)
  const self = meterSelf()
  const t0 = performance.now()
  const mono0 = monoUs()
  o.onStart?.()
  for (let i = 0; i < P; i++) refill(i)
  const probeDone = probeLoop()
  const timer = setTimeout(() => finish(`timeout after ${o.timeoutMs ?? 60_000} ms`), o.timeoutMs ?? 60_000)
  const abortReason = await finished
  const elapsedMs = performance.now() - t0
  const mono1 = monoUs()
  clearTimeout(timer)
  let totalReceived = 0
  let totalSent = 0
  let totalAcked = 0
  for (let i = 0; i < P; i++) {
    totalReceived += received[i]
    totalSent += sent[i]
    totalAcked += acked[i]
  }
  const serverUsage = server.stop(totalReceived)
  const generator = self(totalReceived)
  probeStop = true
  await probeDone
  for (const c of [...senders, ...receivers]) {
    c.onPacket = () => {}
    c.afterChunk = undefined
  }
  const missing = P * M - totalReceived
  return {
    scenario: o.name ?? "relay",
    params: { pairs: P, messages: M, window: W, size: o.size },
    completed: abortReason === undefined,
    ...(abortReason !== undefined ? { abortReason } : {}),
    elapsedMs: round2(elapsedMs),
    msgsPerSec: Math.round(totalReceived / (elapsedMs / 1000)),
    latencyMs: latency.percentiles(),
    delivery: {
      sent: totalSent,
      acked: totalAcked,
      received: totalReceived,
      duplicates,
      missing,
      unexpected,
      outOfOrder,
      exactlyOnce: missing === 0 && duplicates === 0 && unexpected === 0
    },
    errors,
    server: serverUsage,
    generator,
    monotonicUs: [mono0, mono1],
    ...(o.probeKey ? { loginUnderLoad: { count: probeSamples.count, serverMs: probeSamples.percentiles(), failures: probeFailures } } : {})
  }
}
