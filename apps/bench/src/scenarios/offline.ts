/**
 * Offline store + catch-up: a sender stores `messages` MSGs for a receiver that is offline (`window` in flight,
 * acknowledged by OK: the server stores them), then the receiver logs in and asks for them with RECIV; we time
 * the catch-up from the RECIV request to the last stored message's arrival, and check each arrived exactly once
 * and that a second RECIV finds nothing (ERR_EMPTY: the catch-up deleted them).
 */
import { Action, ErrorCode, errorName, type Packet } from "@gochat/protocol"
import { BenchConn } from "../conn.js"
import { MsgTemplate, bodySender, bodySeq, idForSeq } from "../frames.js"
import type { BenchKey } from "../keys.js"
import type { RunningTarget } from "../target.js"
import type { Percentiles } from "../stats.js"
import { connectAndLogin, login, logout, logoutAndClose } from "../users.js"
import { startBystander } from "./bystander.js"
import { countError, meterServer, monoUs, round2, type ServerUsage } from "./common.js"

export interface OfflineOptions {
  readonly messages: number
  readonly window: number
  readonly size: number
  readonly timeoutMs?: number
}

export interface OfflineResult {
  readonly scenario: "offline"
  readonly params: OfflineOptions
  readonly store: {
    readonly completed: boolean
    /** replies received (OK or ERR); `errors` counts the ERRs */
    readonly acked: number
    readonly elapsedMs: number
    readonly msgsPerSec: number
    readonly errors: Record<string, number>
    readonly server: ServerUsage | undefined
    readonly monotonicUs: readonly [number, number]
  }
  readonly catchUp: {
    readonly completed: boolean
    /** RECIV sent → last stored message received */
    readonly elapsedMs: number
    readonly msgsPerSec: number
    /** RECIV sent → its OK */
    readonly okMs: number
    readonly received: number
    readonly duplicates: number
    /** acknowledged as stored but never delivered */
    readonly missing: number
    readonly unexpected: number
    readonly exactlyOnce: boolean
    /** the reply to a second RECIV: ERR_EMPTY when the catch-up deleted the messages */
    readonly secondReciv: string
    readonly server: ServerUsage | undefined
    readonly monotonicUs: readonly [number, number]
  }
  /** messages already waiting for the receiver before the run (earlier runs against a persistent database) */
  readonly drainedBefore: number
  /**
   * With 4 keys: an unrelated pair ping-pongs (1 in flight) during the store phase; its latency shows whether
   * storing messages holds up everyone else.
   */
  readonly othersDuringStore?: { readonly latencyMs: Percentiles }
}

/** Fetches and discards everything stored for the logged-in user of `conn`; returns how many. */
const drain = async (conn: BenchConn): Promise<number> => {
  let n = 0
  conn.onPacket = (p) => {
    if (p.action === Action.RECIV) n++
  }
  for (;;) {
    const r = await conn.request(Action.RECIV, [])
    if (r.action !== Action.OK) break
    // replies come in order: once the next request's reply is in, every RECIV of this catch-up has arrived
  }
  conn.onPacket = () => {}
  return n
}

export const runOffline = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: OfflineOptions): Promise<OfflineResult> => {
  const [senderKey, receiverKey, pingKey, pongKey] = keys
  const N = o.messages
  const timeoutMs = o.timeoutMs ?? 60_000
  // make sure the receiver starts with an empty mailbox, and is offline
  const rc0 = await BenchConn.connect(target)
  await login(rc0, receiverKey)
  const drainedBefore = await drain(rc0)
  await logoutAndClose([rc0])

  const sender = await BenchConn.connect(target)
  let receiver: BenchConn | undefined
  const pingPair = pingKey && pongKey ? await connectAndLogin(target, [pingKey, pongKey]) : []
  try {
    await login(sender, senderKey)
    // ---- store phase
    const t = new MsgTemplate(receiverKey.username, 0, o.size)
    let sent = 0
    let acked = 0
    const errors: Record<string, number> = {}
    let stopped = false
    let finish: (why?: string) => void = () => {}
    const done = new Promise<string | undefined>((r) => (finish = r))
    let settled: () => void = () => {}
    const allAcked = new Promise<void>((r) => (settled = r))
    const refill = () => {
      if (stopped) return
      const n = Math.min(N, acked + o.window) - sent
      if (n <= 0) return
      const buf = Buffer.allocUnsafe(n * t.size)
      for (let k = 0; k < n; k++, sent++) t.writeTo(buf, k * t.size, idForSeq(sent), sent)
      sender.write(buf)
    }
    sender.onPacket = (p: Packet) => {
      acked++
      if (p.action !== Action.OK) countError(errors, p.action === Action.ERR ? errorName(p.info) : `action ${p.action}`)
    }
    sender.afterChunk = () => {
      refill()
      if (acked >= N) finish()
      if (acked >= sent && stopped) settled()
    }
    sender.whenClosed().then(() => finish(`sender connection closed: ${sender.closedReason}`))
    const storeMeter = meterServer(target)
    const t0 = performance.now()
    const mono0 = monoUs()
    const timer = setTimeout(() => finish("store timeout"), timeoutMs)
    refill()
    // ping-pong between two other users while the store runs
    const bystander = pingPair.length === 2 ? startBystander(pingPair[0], pingPair[1], pongKey.username, o.size) : undefined
    const storeAbort = await done
    const others = bystander?.stop()
    clearTimeout(timer)
    const storeMs = performance.now() - t0
    const mono1 = monoUs()
    const storeUsage = storeMeter.stop(acked)
    // after a timeout, let the messages still in flight be answered (bounded) so the catch-up knows what to expect
    stopped = true
    if (acked < sent && sender.closedReason === undefined) {
      let t2: NodeJS.Timeout | undefined
      await Promise.race([allAcked, new Promise<void>((r) => (t2 = setTimeout(r, 15_000)))])
      clearTimeout(t2)
    }
    sender.onPacket = () => {}
    sender.afterChunk = undefined
    const failedStores = Object.values(errors).reduce((a, b) => a + b, 0)
    /** messages the server acknowledged as stored */
    const stored = acked - failedStores

    // ---- catch-up phase
    receiver = await BenchConn.connect(target)
    await login(receiver, receiverKey)
    const seen = new Uint8Array(N)
    let received = 0
    let duplicates = 0
    let unexpected = 0
    let allIn: (why?: string) => void = () => {}
    const caughtUp = new Promise<string | undefined>((r) => (allIn = r))
    const expected = stored
    let tLast = 0
    receiver.onPacket = (p) => {
      if (p.action !== Action.RECIV || p.args.length < 3) {
        unexpected++
        return
      }
      const body = p.args[2]
      const seq = bodySeq(body)
      if (bodySender(body) !== 0 || seq < 0 || seq >= N) unexpected++
      else if (seen[seq]) duplicates++
      else {
        seen[seq] = 1
        received++
        tLast = performance.now()
        if (received >= expected) allIn()
      }
    }
    receiver.whenClosed().then(() => allIn(`receiver connection closed: ${receiver?.closedReason}`))
    const catchMeter = meterServer(target)
    const t1 = performance.now()
    const mono2 = monoUs()
    const timer2 = setTimeout(() => allIn("catch-up timeout"), timeoutMs)
    const ok = await receiver.request(Action.RECIV, [])
    const okMs = performance.now() - t1
    if (ok.action !== Action.OK) allIn(`RECIV answered ${ok.action === Action.ERR ? errorName(ok.info) : ok.action}`)
    if (expected <= 0) allIn()
    const catchAbort = await caughtUp
    clearTimeout(timer2)
    const catchMs = (received > 0 ? tLast : performance.now()) - t1
    const catchUsage = catchMeter.stop(received)
    const mono3 = monoUs()
    receiver.onPacket = (p) => {
      if (p.action === Action.RECIV) unexpected++
    }
    const second = await receiver.request(Action.RECIV, [])
    const secondReciv = second.action === Action.ERR ? errorName(second.info) : second.action === Action.OK ? "OK" : `action ${second.action}`
    if (second.action === Action.OK) await drain(receiver)
    receiver.onPacket = () => {}
    await logout(receiver)
    const missing = Math.max(0, stored - received)
    return {
      scenario: "offline",
      params: o,
      store: {
        completed: storeAbort === undefined,
        acked,
        elapsedMs: round2(storeMs),
        msgsPerSec: Math.round(acked / (storeMs / 1000)),
        errors,
        server: storeUsage,
        monotonicUs: [mono0, mono1]
      },
      catchUp: {
        completed: catchAbort === undefined,
        elapsedMs: round2(catchMs),
        msgsPerSec: catchMs > 0 ? Math.round(received / (catchMs / 1000)) : 0,
        okMs: round2(okMs),
        received,
        duplicates,
        missing,
        unexpected,
        exactlyOnce: missing === 0 && duplicates === 0 && unexpected === 0 && second.info === ErrorCode.EMPTY,
        secondReciv,
        server: catchUsage,
        monotonicUs: [mono2, mono3]
      },
      drainedBefore,
      ...(others ? { othersDuringStore: { latencyMs: others } } : {})
    }
  } finally {
    await logoutAndClose(receiver ? [sender, receiver, ...pingPair] : [sender, ...pingPair])
  }
}
