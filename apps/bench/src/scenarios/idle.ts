/**
 * Idle connections: open `connections` plain TCP connections (anonymous, after HELLO) and report the server's
 * RSS growth per connection and the time to have them all accepted; then, while they are held, a newcomer's
 * time from connect to HELLO (one at a time, `newcomers` of them) and a logged-in pair's ping-pong.
 *
 * The generator side is kept minimal (a bare socket per connection; the HELLO is recognised as the first
 * bytes received). File limits: the runner starts our server with enough (`ulimit -n` in its shell), and this
 * scenario raises the generator's own with prlimit(1) when it is too low. Ports: one source address has
 * ~28,000 ephemeral ports towards one server port (and finding a free one slows down as they fill up), so
 * beyond 8,000 connections the sockets are spread over
 * the loopback source addresses 127.0.0.2, 127.0.0.3, ... (every 127/8 address is this machine's).
 */
import { execFileSync } from "node:child_process"
import * as net from "node:net"
import type { BenchKey } from "../keys.js"
import { readMem } from "../proc.js"
import { type Percentiles, Samples } from "../stats.js"
import type { RunningTarget } from "../target.js"
import { connectAndLogin, logoutAndClose } from "../users.js"
import { startBystander } from "./bystander.js"
import { meterServer, round2, type ServerUsage } from "./common.js"

/** Connections per loopback source address before the next one is used. */
const PER_SOURCE_ADDRESS = 8_000

/** The hard open-file limit of this process (what `ulimit -n` can be raised to without privileges). */
export const hardFileLimit = (): number => {
  try {
    return Number(execFileSync("sh", ["-c", "ulimit -Hn"], { encoding: "utf8" }).trim())
  } catch {
    return Number.NaN
  }
}

/** Raises this process's open-file limit to at least `n` (prlimit on its own pid); false if it could not. */
export const raiseFileLimit = (n: number): boolean => {
  try {
    const current = Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim())
    if (Number.isFinite(current) && current >= n) return true
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${n}:${n}`], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

export interface IdleOptions {
  readonly connections: number
  /** connections being opened at once */
  readonly parallel?: number
  /** wait after the last HELLO before reading RSS (lets the server's allocations settle); default 1000 ms */
  readonly settleMs?: number
  /** newcomers timed (connect → HELLO, one at a time) while the connections are held; default 200 */
  readonly newcomers?: number
  /** how long the logged-in pair ping-pongs while the connections are held; default 2000 ms */
  readonly pingMs?: number
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
  /** source addresses the connections came from */
  readonly sourceAddresses: number
  /** while the connections are held: a newcomer's connect → HELLO */
  readonly newcomerHelloMs?: Percentiles
  /** while the connections are held: a logged-in pair's round trips */
  readonly pingPongMs?: Percentiles
}

export const runIdle = async (target: RunningTarget, o: IdleOptions, keys: ReadonlyArray<BenchKey> = []): Promise<IdleResult> => {
  const N = o.connections
  const parallel = o.parallel ?? 200
  if (!raiseFileLimit(N + 1000)) {
    throw new Error(`cannot raise the open-file limit to ${N + 1000} (hard limit ${hardFileLimit()}; raising it needs CAP_SYS_RESOURCE): ` +
      `run "ulimit -Hn ${N + 1000}; ulimit -n ${N + 1000}" as root first, or use --idle below the limit`)
  }
  const sources = target.host === "127.0.0.1" ? Math.ceil(N / PER_SOURCE_ADDRESS) : 1
  // a random first address: the previous run's ports are still in TIME_WAIT on its addresses, and
  // connecting from those again made opening 18,500 connections take 55 s instead of 3.5 s
  const first = 2 + Math.floor(Math.random() * (250 - sources))
  const sourceOf = (i: number) => (sources > 1 ? { localAddress: `127.0.0.${first + (i % sources)}` } : {})
  const pair = keys.length >= 2 ? await connectAndLogin(target, keys.slice(0, 2)) : []
  const sockets: net.Socket[] = []
  let opened = 0
  let failed = 0
  let closedByServer = 0
  let firstFailure: string | undefined
  const rss0 = target.pid ? readMem(target.pid)?.rss : undefined
  const meter = meterServer(target)
  const t0 = performance.now()
  const deadline = t0 + (o.timeoutMs ?? 60_000)
  const openOne = (i: number) =>
    new Promise<void>((resolve) => {
      const s = net.connect({ host: target.host, port: target.port, noDelay: true, ...sourceOf(i) })
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
        while (next < N && performance.now() < deadline) await openOne(next++)
      })
    )
    const openMs = performance.now() - t0
    if (o.settleMs !== 0) await new Promise((r) => setTimeout(r, o.settleMs ?? 1000))
    const server = meter.stop(opened)
    const rss1 = target.pid ? readMem(target.pid)?.rss : undefined
    // while they are held: newcomers one at a time, then the pair
    const hello = new Samples(o.newcomers ?? 200)
    for (let i = 0; i < (o.newcomers ?? 200) && performance.now() < deadline + 30_000; i++) {
      const t = performance.now()
      const ok = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: target.host, port: target.port, noDelay: true })
        const timer = setTimeout(() => done(false), 20_000)
        const done = (got: boolean) => {
          clearTimeout(timer)
          s.destroy()
          resolve(got)
        }
        s.once("data", () => done(true))
        s.on("error", () => done(false))
        s.on("close", () => done(false))
      })
      if (ok) hello.add(performance.now() - t)
    }
    let pingPongMs: Percentiles | undefined
    if (pair.length === 2) {
      const b = startBystander(pair[0], pair[1], keys[1].username)
      await new Promise((r) => setTimeout(r, o.pingMs ?? 2000))
      pingPongMs = b.stop()
    }
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
      server,
      sourceAddresses: sources,
      ...(hello.percentiles().count > 0 ? { newcomerHelloMs: hello.percentiles() } : {}),
      ...(pingPongMs ? { pingPongMs } : {})
    }
  } finally {
    const closing = sockets.map((s) => new Promise<void>((r) => (s.destroyed ? r() : (s.once("close", () => r()), s.destroy()))))
    await Promise.all(closing)
    await logoutAndClose(pair)
  }
}
