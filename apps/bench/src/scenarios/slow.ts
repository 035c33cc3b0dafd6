/**
 * Slow reader: a logged-in user stops reading (its socket is paused) while `flooders` users send it MSGs as fast
 * as their OKs come back. The server must drop that user (we learn it from a watcher subscribed to
 * HOOK_NEWLOGOUT) and keep relaying for everyone else: the relay scenario runs once without and once during the
 * flood, and both results are reported.
 */
import { Action, HookType, errorName, type Packet } from "@gochat/protocol"
import { text } from "../conn.js"
import { MsgTemplate, idForSeq } from "../frames.js"
import type { BenchKey } from "../keys.js"
import type { RunningTarget } from "../target.js"
import { connectAndLogin, logoutAndClose } from "../users.js"
import { countError, round2 } from "./common.js"
import { runRelay, type RelayOptions, type RelayResult } from "./relay.js"

export interface SlowOptions extends Omit<RelayOptions, "onStart" | "name" | "probeKey"> {
  readonly flooders: number
  /** flood message body size */
  readonly floodSize: number
  /** flood window per flooder (messages awaiting OK) */
  readonly floodWindow?: number
  /** how long to wait for the drop after the relay under flood has finished (default 15 s) */
  readonly dropWaitMs?: number
}

export interface SlowResult {
  readonly scenario: "slow"
  readonly params: SlowOptions
  readonly baseline: RelayResult
  readonly withSlowReader: RelayResult
  readonly slowReader: {
    /** the server dropped the slow reader (HOOK_NEWLOGOUT seen) */
    readonly dropped: boolean
    /** flood start → drop notice */
    readonly dropAfterMs: number | undefined
    /** the slow reader's socket was closed by the server (seen once it resumed reading) */
    readonly socketClosed: boolean
    readonly floodSent: number
    readonly floodAcked: number
    readonly floodBytesSent: number
    readonly floodErrors: Record<string, number>
    /** flood messages the slow reader got when it resumed reading */
    readonly deliveredToSlowReader: number
  }
  /** others' throughput with / without the slow reader */
  readonly throughputRatio: number
}

export const runSlow = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: SlowOptions): Promise<SlowResult> => {
  const P = o.pairs
  const need = 2 * P + 2 + o.flooders
  if (keys.length < need) throw new Error(`slow-reader scenario needs ${need} keys, got ${keys.length}`)
  const relayKeys = keys.slice(0, 2 * P)
  const slowKey = keys[2 * P]
  const watcherKey = keys[2 * P + 1]
  const floodKeys = keys.slice(2 * P + 2, 2 * P + 2 + o.flooders)

  const baseline = await runRelay(target, relayKeys, { ...o, name: "slow:baseline" })

  const [slow, watcher, ...flooders] = await connectAndLogin(target, [slowKey, watcherKey, ...floodKeys])
  try {
    const sub = await watcher.request(Action.SUB, [], { info: HookType.NEWLOGOUT })
    if (sub.action !== Action.OK) throw new Error(`SUB NEWLOGOUT answered ${errorName(sub.info)}`)
    let deliveredToSlowReader = 0
    slow.onPacket = (p) => {
      if (p.action === Action.RECIV) deliveredToSlowReader++
    }
    slow.socket.pause()

    let floodStart = 0
    let dropAt: number | undefined
    let dropped: () => void = () => {}
    const droppedP = new Promise<void>((r) => (dropped = r))
    watcher.onPacket = (p: Packet) => {
      if (p.action === Action.HOOK && p.info === HookType.NEWLOGOUT && p.args.length > 0 && text(p.args[0]) === slowKey.username) {
        dropAt ??= performance.now()
        dropped()
      }
    }

    let flooding = false
    let floodSent = 0
    let floodAcked = 0
    let floodBytesSent = 0
    const floodErrors: Record<string, number> = {}
    const W = o.floodWindow ?? 64
    const floods = flooders.map((c, i) => {
      const t = new MsgTemplate(slowKey.username, 1000 + i, o.floodSize)
      let sent = 0
      let acked = 0
      const refill = () => {
        if (!flooding) return
        const n = acked + W - sent
        if (n <= 0) return
        const buf = Buffer.allocUnsafe(n * t.size)
        for (let k = 0; k < n; k++, sent++) t.writeTo(buf, k * t.size, idForSeq(sent), sent)
        floodSent += n
        floodBytesSent += buf.length
        c.write(buf)
      }
      c.onPacket = (p) => {
        acked++
        floodAcked++
        if (p.action !== Action.OK) countError(floodErrors, p.action === Action.ERR ? errorName(p.info) : `action ${p.action}`)
      }
      c.afterChunk = refill
      return refill
    })
    const startFlood = () => {
      flooding = true
      floodStart = performance.now()
      for (const f of floods) f()
    }
    droppedP.then(() => {
      flooding = false
    })

    const withSlowReader = await runRelay(target, relayKeys, { ...o, name: "slow:with-slow-reader", onStart: startFlood })

    let timer: NodeJS.Timeout | undefined
    await Promise.race([droppedP, new Promise<void>((r) => (timer = setTimeout(r, o.dropWaitMs ?? 15_000)))])
    clearTimeout(timer)
    flooding = false
    // let the slow reader read again: the server should have closed its socket
    let closeTimer: NodeJS.Timeout | undefined
    slow.socket.resume()
    await Promise.race([slow.whenClosed(), new Promise<void>((r) => (closeTimer = setTimeout(r, 5_000)))])
    clearTimeout(closeTimer)
    const socketClosed = slow.closedReason !== undefined
    for (const c of flooders) c.afterChunk = undefined

    return {
      scenario: "slow",
      params: o,
      baseline,
      withSlowReader,
      slowReader: {
        dropped: dropAt !== undefined,
        dropAfterMs: dropAt !== undefined ? round2(dropAt - floodStart) : undefined,
        socketClosed,
        floodSent,
        floodAcked,
        floodBytesSent,
        floodErrors,
        deliveredToSlowReader
      },
      throughputRatio: baseline.msgsPerSec > 0 ? round2(withSlowReader.msgsPerSec / baseline.msgsPerSec) : 0
    }
  } finally {
    slow.close()
    await logoutAndClose([watcher, ...flooders])
  }
}
