/**
 * Login rate: `concurrency` connections, each repeating LOGIN → (decrypt) → VERIF → OK → LOGOUT → OK, `logins`
 * logins in total. The generator's RSA-4096 decryption (~5 ms each, synchronous) usually limits the rate; the
 * server-side cost is reported separately (CPU per login, and the latency of LOGIN→challenge + VERIF→OK).
 */
import { BenchConn } from "../conn.js"
import type { BenchKey } from "../keys.js"
import { Samples, type Percentiles } from "../stats.js"
import type { RunningTarget } from "../target.js"
import { login, logout } from "../users.js"
import { meterSelf, meterServer, monoUs, round2, type ServerUsage } from "./common.js"

export interface LoginOptions {
  readonly logins: number
  readonly concurrency: number
  readonly timeoutMs?: number
}

export interface LoginResult {
  readonly scenario: "login"
  readonly params: LoginOptions
  readonly completed: boolean
  readonly logins: number
  readonly failures: number
  readonly firstFailure?: string
  readonly elapsedMs: number
  readonly loginsPerSec: number
  /** server-side part of a login: LOGIN→challenge + VERIF→OK */
  readonly serverMs: Percentiles
  /** client-side RSA decryption per login */
  readonly decryptMs: Percentiles
  readonly server: ServerUsage | undefined
  readonly generator: { cpuUs: number; cpuUsPerUnit: number; cpuLoad: number }
  readonly monotonicUs: readonly [number, number]
}

export const runLogin = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: LoginOptions): Promise<LoginResult> => {
  const C = Math.min(o.concurrency, keys.length)
  const conns = await Promise.all(Array.from({ length: C }, () => BenchConn.connect(target)))
  const serverMs = new Samples(o.logins)
  const decryptMs = new Samples(o.logins)
  let started = 0
  let done = 0
  let failures = 0
  let firstFailure: string | undefined
  const deadline = performance.now() + (o.timeoutMs ?? 60_000)
  try {
    const meter = meterServer(target)
    const self = meterSelf()
    const t0 = performance.now()
    const mono0 = monoUs()
    await Promise.all(
      conns.map(async (c, i) => {
        while (started < o.logins && performance.now() < deadline && c.closedReason === undefined) {
          started++
          try {
            const t = await login(c, keys[i])
            serverMs.add(t.serverMs)
            decryptMs.add(t.decryptMs)
            await logout(c)
            done++
          } catch (e) {
            failures++
            firstFailure ??= String(e)
          }
        }
      })
    )
    const elapsedMs = performance.now() - t0
    return {
      scenario: "login",
      params: o,
      completed: done === o.logins,
      logins: done,
      failures,
      ...(firstFailure ? { firstFailure } : {}),
      elapsedMs: round2(elapsedMs),
      loginsPerSec: Math.round((done / (elapsedMs / 1000)) * 10) / 10,
      serverMs: serverMs.percentiles(),
      decryptMs: decryptMs.percentiles(),
      server: meter.stop(done),
      generator: self(done),
      monotonicUs: [mono0, monoUs()]
    }
  } finally {
    for (const c of conns) c.close()
  }
}
