/**
 * Runs the selected scenarios against one server (ours as a child process, or an external one) and collects the
 * results. `main.ts` is the command line; tests call `runBench` directly with tiny counts.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { loadKeys, type BenchKey } from "./keys.js"
import { runCluster, type ClusterResult } from "./scenarios/cluster.js"
import { runIdle, type IdleResult } from "./scenarios/idle.js"
import { runLogin, type LoginResult } from "./scenarios/login.js"
import { runMicro, type MicroResult } from "./scenarios/micro.js"
import { runOffline, type OfflineResult } from "./scenarios/offline.js"
import { runReconnect, type ReconnectResult } from "./scenarios/reconnect.js"
import { runRegFlood, type RegFloodResult } from "./scenarios/regflood.js"
import { runRelay, type RelayResult } from "./scenarios/relay.js"
import { runSlow, type SlowResult } from "./scenarios/slow.js"
import { REPO_ROOT, startTarget, type RunningTarget, type StartOptions } from "./target.js"
import { registerAll } from "./users.js"

export const ALL_SCENARIOS = ["relay", "relay50", "pingpong", "loginload", "login", "reconnect", "offline", "regflood", "idle", "slow", "micro", "cluster"] as const
export type ScenarioName = (typeof ALL_SCENARIOS)[number]

export interface BenchOptions {
  readonly scenarios: ReadonlyArray<ScenarioName>
  readonly target: StartOptions
  readonly relay: { pairs: number; messages: number; window: number; size: number }
  readonly relay50: { pairs: number; messages: number; window: number; size: number }
  readonly pingpong: { messages: number; size: number }
  readonly login: { logins: number; concurrency: number }
  readonly reconnect: { users: number }
  readonly regflood: { regs: number; concurrency: number; window: number }
  readonly offline: { messages: number; window: number; size: number }
  readonly idle: { connections: number; settleMs?: number }
  readonly slow: { pairs: number; messages: number; window: number; size: number; flooders: number; floodSize: number; dropWaitMs?: number }
  /** how many times to run the scenario list */
  readonly repeat: number
  /** messages per pair of an unreported relay run (10 pairs) before the scenarios, to warm the server's JIT; 0 = none */
  readonly warmup: number
  readonly timeoutMs: number
  readonly keyDir?: string
  readonly log?: (line: string) => void
}

export const DEFAULTS: BenchOptions = {
  scenarios: ALL_SCENARIOS,
  target: {},
  relay: { pairs: 10, messages: 4000, window: 64, size: 512 },
  relay50: { pairs: 50, messages: 800, window: 64, size: 512 },
  pingpong: { messages: 5000, size: 512 },
  login: { logins: 300, concurrency: 4 },
  reconnect: { users: 500 },
  regflood: { regs: 2000, concurrency: 4, window: 4 },
  offline: { messages: 2000, window: 64, size: 512 },
  idle: { connections: 3000 },
  slow: { pairs: 10, messages: 2000, window: 64, size: 512, flooders: 2, floodSize: 2000 },
  repeat: 1,
  warmup: 2000,
  timeoutMs: 60_000
}

export interface ErrorResult {
  readonly scenario: "error"
  readonly name: string
  readonly error: string
}
export type ScenarioResult =
  | (RelayResult & { scenario: "relay" | "relay50" | "pingpong" | "loginload" })
  | LoginResult
  | ReconnectResult
  | RegFloodResult
  | OfflineResult
  | IdleResult
  | SlowResult
  | MicroResult
  | ClusterResult
  | ErrorResult

export interface BenchResults {
  readonly startedAt: string
  readonly finishedAt: string
  readonly target: { kind: string; host: string; port: number; pid: number | undefined; db: string }
  readonly machine: { cpus: number; cpuModel: string; node: string; loadavgBefore: number[]; loadavgAfter: number[] }
  readonly options: Omit<BenchOptions, "log">
  readonly scenarios: ScenarioResult[]
}

/** Keys needed by the selected scenarios (they run one after the other, so the pool is shared). */
export const keysNeeded = (o: BenchOptions): number => {
  const n = o.scenarios.map((s) => {
    switch (s) {
      case "relay":
      case "cluster":
        return 2 * o.relay.pairs
      case "loginload":
        return 2 * o.relay.pairs + 1
      case "relay50":
        return 2 * o.relay50.pairs
      case "pingpong":
        return 2
      case "login":
        return o.login.concurrency
      case "reconnect":
        return o.reconnect.users + 1
      case "regflood":
        return 3
      case "offline":
        return 4
      case "idle":
        return 2
      case "slow":
        return 2 * o.slow.pairs + 2 + o.slow.flooders
      default:
        return 0
    }
  })
  return Math.max(0, ...n)
}

export const runOne = async (name: ScenarioName, o: BenchOptions, target: RunningTarget, keys: BenchKey[]): Promise<ScenarioResult> => {
  const timeoutMs = o.timeoutMs
  switch (name) {
    case "relay":
    case "relay50": {
      const p = name === "relay" ? o.relay : o.relay50
      const r = await runRelay(target, keys, { ...p, timeoutMs, name })
      return { ...r, scenario: name }
    }
    case "loginload": {
      // the relay scenario again, with a user logging in and out meanwhile (kept out of "relay": the generator's
      // ~5 ms RSA decryption per login stalls its event loop and would inflate the relay's latency tail)
      const r = await runRelay(target, keys, { ...o.relay, timeoutMs, name, probeKey: keys[2 * o.relay.pairs] })
      return { ...r, scenario: name }
    }
    case "pingpong": {
      const r = await runRelay(target, keys, { pairs: 1, window: 1, ...o.pingpong, timeoutMs, name })
      return { ...r, scenario: "pingpong" }
    }
    case "login":
      return runLogin(target, keys, { ...o.login, timeoutMs })
    case "reconnect":
      return runReconnect(target, keys, { ...o.reconnect, timeoutMs })
    case "regflood":
      return runRegFlood(target, keys, { ...o.regflood, timeoutMs })
    case "offline":
      return runOffline(target, keys, { ...o.offline, timeoutMs })
    case "idle":
      return runIdle(target, { ...o.idle, timeoutMs }, keys)
    case "slow":
      return runSlow(target, keys, { ...o.slow, timeoutMs })
    case "micro":
      return runMicro()
    case "cluster":
      // its own service: two instances, a Redis and a MariaDB (the shared target plays no part)
      return runCluster(keys, { ...o.relay, timeoutMs, warmup: o.warmup, login: o.login }, o.log)
  }
}

/**
 * The unreported runs before the scenarios: a long-running server has relayed messages, logged users in and
 * delivered mailboxes before, so its JIT and prepared statements are warm (`--warmup 0`: a cold server).
 */
export const warmUp = async (target: RunningTarget, keys: BenchKey[], o: BenchOptions): Promise<void> => {
  const log = o.log ?? (() => {})
  const timeoutMs = o.timeoutMs
  if (o.warmup <= 0 || keys.length < 4) return
  const pairs = Math.min(10, Math.floor(keys.length / 2))
  log(`warm-up: ${pairs} pairs × ${o.warmup} messages (not reported)`)
  await runRelay(target, keys, { pairs, messages: o.warmup, window: 64, size: 512, timeoutMs, name: "warmup" })
  // logins: the first few hundred run before V8 has optimised the login path, and the compiler threads'
  // CPU would be counted as the logins' (1.9 ms/login for the first 500, 1.2 after)
  if (o.scenarios.includes("login") || o.scenarios.includes("reconnect")) {
    const logins = Math.max(100, Math.min(500, o.warmup / 4))
    log(`warm-up: ${logins} logins (not reported)`)
    await runLogin(target, keys, { ...o.login, logins, timeoutMs })
  }
  // stored and delivered messages (JIT, prepared statements), so the offline scenario measures the steady
  // state like the relay scenarios do
  if (o.scenarios.includes("offline")) {
    log(`warm-up: offline store + catch-up of ${o.offline.messages} (not reported)`)
    await runOffline(target, keys, { ...o.offline, timeoutMs })
  }
}

export const runBench = async (o: BenchOptions): Promise<BenchResults> => {
  const log = o.log ?? (() => {})
  const timeoutMs = o.timeoutMs
  const startedAt = new Date().toISOString()
  const loadavgBefore = os.loadavg()
  const needKeys = keysNeeded(o)
  let keys: BenchKey[] = []
  if (needKeys > 0) {
    const t = Date.now()
    keys = await loadKeys(needKeys, {
      ...(o.keyDir ? { dir: o.keyDir } : {}),
      onProgress: (d, n) => log(`generated RSA-4096 key ${d}/${n} (${((Date.now() - t) / 1000).toFixed(0)} s; cached for later runs)`)
    })
  }
  // the idle scenario's connections must all fit in the server's file limit and client slots
  const idleNeeds = o.scenarios.includes("idle") ? o.idle.connections + 2000 : 0
  const target = await startTarget({
    ...o.target,
    ...(idleNeeds > 20_000 ? { maxFiles: Math.max(o.target.maxFiles ?? 0, idleNeeds), maxClients: Math.max(o.target.maxClients ?? 0, idleNeeds) } : {})
  })
  log(`server: ${target.kind} at ${target.host}:${target.port}${target.pid ? ` pid ${target.pid}` : ""}`)
  const scenarios: ScenarioResult[] = []
  try {
    if (needKeys > 0) await registerAll(target, keys)
    await warmUp(target, keys, o)
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const name of o.scenarios) {
        log(`running ${name}${o.repeat > 1 ? ` (${rep + 1}/${o.repeat})` : ""} ...`)
        try {
          scenarios.push(await runOne(name, o, target, keys))
        } catch (e) {
          scenarios.push({ scenario: "error", name, error: e instanceof Error ? `${e.message}` : String(e) })
        }
      }
    }
  } finally {
    await target.stop()
  }
  const { log: _log, ...options } = o
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    target: { kind: target.kind, host: target.host, port: target.port, pid: target.pid, db: target.db },
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "", node: process.version, loadavgBefore, loadavgAfter: os.loadavg() },
    options,
    scenarios
  }
}

export const RESULTS_DIR = path.join(REPO_ROOT, "bench-results")

export const writeResults = (r: BenchResults, file?: string): string => {
  const out = file ?? path.join(RESULTS_DIR, `${r.startedAt.replace(/[:.]/g, "-")}.json`)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify(r, null, 2) + "\n")
  return out
}
