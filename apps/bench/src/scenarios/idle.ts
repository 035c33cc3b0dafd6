/**
 * Idle connections: open `connections` plain TCP connections (anonymous, after HELLO) and report the server's
 * RSS growth per connection. The generator side is kept minimal (a bare socket per connection; the HELLO is
 * recognised as the first bytes received). Needs `ulimit -n` above the count on both sides: the runner raises the
 * server's limit itself; the generator's own limit must be raised by the shell (`ulimit -n 20000`).
 */
import * as net from "node:net"
import { readMem } from "../proc.js"
import type { RunningTarget } from "../target.js"
import { meterServer, round2, type ServerUsage } from "./common.js"

export interface IdleOptions {
  readonly connections: number
  /** connections being opened at once */
  readonly parallel?: number
  /** wait after the last HELLO before reading RSS (lets the server's allocations settle); default 1000 ms */
  readonly settleMs?: number
  readonly timeoutMs?: number
}

export interface IdleResult {
  readonly scenario: "idle"
  readonly params: IdleOptions
  readonly completed: boolean
  readonly opened: number
  readonly failed: number
  readonly firstFailure?: string
  /** connections still open (not closed by the server) when RSS was read */
  readonly open: number
  readonly openMs: number
  readonly rssBefore: number | undefined
  readonly rssAfter: number | undefined
  readonly bytesPerConnection: number | undefined
  readonly server: ServerUsage | undefined
}

export const runIdle = async (target: RunningTarget, o: IdleOptions): Promise<IdleResult> => {
  const N = o.connections
  const parallel = o.parallel ?? 200
  const sockets: net.Socket[] = []
  let opened = 0
  let failed = 0
  let closedByServer = 0
  let firstFailure: string | undefined
  const rss0 = target.pid ? readMem(target.pid)?.rss : undefined
  const meter = meterServer(target)
  const t0 = performance.now()
  const deadline = t0 + (o.timeoutMs ?? 60_000)
  const openOne = () =>
    new Promise<void>((resolve) => {
      const s = net.connect({ host: target.host, port: target.port, noDelay: true })
      let settled = false
      const settle = (ok: boolean, why?: string) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (ok) opened++
        else {
          failed++
          firstFailure ??= why
          s.destroy()
        }
        resolve()
      }
      const timer = setTimeout(() => settle(false, "no HELLO within 20 s"), 20_000)
      s.once("data", () => settle(true))
      s.on("error", (e) => settle(false, e.message))
      s.on("close", () => {
        if (settled) closedByServer++
        settle(false, "closed before HELLO")
      })
      sockets.push(s)
    })
  try {
    let next = 0
    await Promise.all(
      Array.from({ length: Math.min(parallel, N) }, async () => {
        while (next < N && performance.now() < deadline) {
          next++
          await openOne()
        }
      })
    )
    const openMs = performance.now() - t0
    if (o.settleMs !== 0) await new Promise((r) => setTimeout(r, o.settleMs ?? 1000))
    const server = meter.stop(opened)
    const rss1 = target.pid ? readMem(target.pid)?.rss : undefined
    return {
      scenario: "idle",
      params: o,
      completed: opened === N,
      opened,
      failed,
      ...(firstFailure ? { firstFailure } : {}),
      open: opened - closedByServer,
      openMs: round2(openMs),
      rssBefore: rss0,
      rssAfter: rss1,
      bytesPerConnection: rss0 !== undefined && rss1 !== undefined && opened > 0 ? Math.round((rss1 - rss0) / opened) : undefined,
      server
    }
  } finally {
    const closing = sockets.map((s) => new Promise<void>((r) => (s.destroyed ? r() : (s.once("close", () => r()), s.destroy()))))
    await Promise.all(closing)
  }
}
