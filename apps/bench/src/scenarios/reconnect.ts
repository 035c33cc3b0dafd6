/**
 * Reconnect storm: `users` users are logged in, each on its own connection; then every connection drops at
 * once (as when a server restarts or a network blip cuts everyone off) and every user connects and logs in
 * again at once. Measured: the time until all are logged in again, the server CPU per login meanwhile, and
 * the login latency of one more user who logs in and out repeatedly during the storm.
 *
 * The generator decrypts every challenge (RSA-4096, ~5 ms of its CPU each, one at a time on its event
 * loop), so with many users it, not the server, usually sets the time until all are back: compare
 * `generator.cpuUs` with `server.cpuUs`.
 */
import { BenchConn } from "../conn.js"
import type { BenchKey } from "../keys.js"
import { type Percentiles, Samples } from "../stats.js"
import type { RunningTarget } from "../target.js"
import { connectAndLogin, login, logoutAndClose } from "../users.js"
import { startProbe } from "./probe.js"
import { meterSelf, meterServer, monoUs, round2, type ServerUsage } from "./common.js"

export interface ReconnectOptions {
  readonly users: number
  readonly timeoutMs?: number
}

export interface ReconnectResult {
  readonly scenario: "reconnect"
  readonly params: ReconnectOptions
  readonly completed: boolean
  /** users logged in again */
  readonly loggedIn: number
  readonly failures: number
  readonly firstFailure?: string
  /** from the drop to the last user's OK */
  readonly allLoggedInMs: number
  readonly loginsPerSec: number
  /** the extra user's logins during the storm: LOGIN→challenge + VERIF→OK, and the whole login */
  readonly probe: { readonly serverMs: Percentiles; readonly totalMs: Percentiles }
  readonly server: ServerUsage | undefined
  readonly generator: { cpuUs: number; cpuUsPerUnit: number; cpuLoad: number }
  readonly monotonicUs: readonly [number, number]
}

export const runReconnect = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: ReconnectOptions): Promise<ReconnectResult> => {
  const N = Math.min(o.users, keys.length - 1)
  const users = keys.slice(0, N)
  const probeKey = keys[N]
  const timeoutMs = o.timeoutMs ?? 60_000
  const first = await connectAndLogin(target, users, 8)
  // the extra user runs on its own thread: this one is about to be busy decrypting everyone's challenges
  const probe = startProbe(target, probeKey)
  await probe.ready
  const again: Array<BenchConn> = []
  try {
    // everybody's connection drops at once
    for (const c of first) c.socket.destroy()
    const meter = meterServer(target)
    const self = meterSelf()
    const t0 = performance.now()
    const mono0 = monoUs()
    let loggedIn = 0
    let failures = 0
    let firstFailure: string | undefined
    let tLast = t0
    // ... and comes back at once: every user reconnects and logs in (DUPSESS while the server has not yet
    // seen the old connection close is retried by `login`)
    await Promise.all(users.map(async (key) => {
      try {
        const c = await BenchConn.connect(target, { helloTimeoutMs: timeoutMs })
        again.push(c)
        await login(c, key, { dupsessRetryMs: timeoutMs })
        loggedIn++
        tLast = performance.now()
      } catch (e) {
        failures++
        firstFailure ??= String(e)
      }
    }))
    const allLoggedInMs = tLast - t0
    const samples = await probe.stop()
    const mono1 = monoUs()
    // per login: the storm's and the probe's
    const server = meter.stop(loggedIn + samples.serverMs.length)
    const generator = self(loggedIn)
    const serverMs = new Samples(samples.serverMs.length)
    const totalMs = new Samples(samples.totalMs.length)
    for (const v of samples.serverMs) serverMs.add(v)
    for (const v of samples.totalMs) totalMs.add(v)
    if (samples.error !== undefined) {
      failures++
      firstFailure ??= `probe: ${samples.error}`
    }
    return {
      scenario: "reconnect",
      params: o,
      completed: loggedIn === N,
      loggedIn,
      failures,
      ...(firstFailure ? { firstFailure } : {}),
      allLoggedInMs: round2(allLoggedInMs),
      loginsPerSec: Math.round((loggedIn / (allLoggedInMs / 1000)) * 10) / 10,
      probe: { serverMs: serverMs.percentiles(), totalMs: totalMs.percentiles() },
      server,
      generator,
      monotonicUs: [mono0, mono1]
    }
  } finally {
    await probe.stop().catch(() => undefined)
    await logoutAndClose(again)
  }
}
