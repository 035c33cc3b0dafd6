/**
 * Cross-instance relay: two instances of one clustered service (each a server process as `pnpm start`
 * runs it, with `cluster.redis_url` set), a private redis-server and a private MariaDB. Senders are logged
 * in on instance A, receivers on instance B, so every message crosses Redis (A publishes one batch per
 * event-loop turn to B's channel; B answers in one batch). The server CPU per message is the sum over
 * both instances and redis-server.
 */
import type { BenchKey } from "../keys.js"
import { startTarget, type RunningTarget } from "../target.js"
import { registerAll } from "../users.js"
import { meterServers, type UsageMeter } from "./common.js"
import { type LoginOptions, runLogin } from "./login.js"
import { runRelay, type RelayOptions, type RelayResult } from "./relay.js"

export interface ClusterResult extends Omit<RelayResult, "scenario"> {
  readonly scenario: "cluster"
  /** server CPU per message of each process: instance A (senders), instance B (receivers), redis-server */
  readonly cpuUsPerMessage: { readonly a: number; readonly b: number; readonly redis: number }
  /**
   * server CPU per login (LOGIN, VERIF, LOGOUT), ms: on instance A of the service (summed over both
   * instances and redis-server), and on a single instance over the same MariaDB, run alternately
   */
  readonly loginCpuMs?: { readonly clustered: ReadonlyArray<number>; readonly single: ReadonlyArray<number> }
}

export const runCluster = async (
  keys: ReadonlyArray<BenchKey>,
  o: RelayOptions & { readonly warmup: number; readonly login?: LoginOptions },
  log: (line: string) => void = () => {}
): Promise<ClusterResult> => {
  const { startRedis } = await import("../../../../test-support/redis.js")
  const { startMariadb } = await import("../../../../test-support/mariadb.js")
  const [redis, maria] = await Promise.all([startRedis(), startMariadb()])
  const targets: Array<RunningTarget> = []
  try {
    const db = `mysql://${maria.user}:${encodeURIComponent(maria.password)}@${maria.host}:${maria.port}/${maria.database}`
    // GOCHAT_BENCH_CLUSTER_PROF=DIR: V8 CPU profiles of both instances into DIR (written when they stop)
    const prof = process.env.GOCHAT_BENCH_CLUSTER_PROF
    const nodeFlags = prof ? ["--cpu-prof", `--cpu-prof-dir=${prof}`] : []
    targets.push(await startTarget({ db, redis: redis.url, nodeFlags }))
    targets.push(await startTarget({ db, redis: redis.url, nodeFlags }))
    const [a, b] = targets
    log(`cluster: instances pid ${a.pid} and ${b.pid}, redis-server pid ${redis.pid}, MariaDB`)
    await registerAll(a, keys.slice(0, 2 * o.pairs))
    if (o.warmup > 0) await runRelay(a, keys, { ...o, messages: o.warmup, name: "warmup", receiverTarget: b })
    let parts: Array<UsageMeter> = []
    const r = await runRelay(a, keys, {
      ...o,
      name: "cluster",
      receiverTarget: b,
      serverPids: [a.pid, b.pid, redis.pid],
      onStart: () => {
        parts = [a.pid, b.pid, redis.pid].map((pid) => meterServers([pid]))
      }
    })
    const [ua, ub, ur] = parts.map((m) => m.stop(r.delivery.received)?.cpuUsPerUnit ?? Number.NaN)
    let loginCpuMs: ClusterResult["loginCpuMs"]
    if (o.login !== undefined) {
      const single = await startTarget({ db, nodeFlags })
      targets.push(single)
      const lo = { ...o.login, timeoutMs: o.timeoutMs }
      const loginKeys = keys.slice(0, 2 * o.pairs)
      const perLogin = async (t: RunningTarget, pids: ReadonlyArray<number | undefined>) => {
        const meter = meterServers(pids)
        const each = pids.map((pid) => meterServers([pid]))
        const l = await runLogin(t, loginKeys, lo)
        log(`cluster: login CPU per process (ms): ${each.map((m) => (m.stop(l.logins)?.cpuUsPerUnit ?? 0) / 1000).join(", ")}`)
        return Math.round((meter.stop(l.logins)?.cpuUsPerUnit ?? Number.NaN) / 10) / 100
      }
      // warm both login paths, then alternate
      await runLogin(single, loginKeys, lo)
      await runLogin(a, loginKeys, lo)
      const clustered: Array<number> = []
      const alone: Array<number> = []
      for (let k = 0; k < 2; k++) {
        alone.push(await perLogin(single, [single.pid]))
        clustered.push(await perLogin(a, [a.pid, b.pid, redis.pid]))
      }
      loginCpuMs = { clustered, single: alone }
      log(`cluster: login CPU ${clustered.join(", ")} ms clustered, ${alone.join(", ")} ms single instance`)
    }
    return { ...r, scenario: "cluster", cpuUsPerMessage: { a: ua, b: ub, redis: ur }, ...(loginCpuMs ? { loginCpuMs } : {}) }
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
    await Promise.all([redis.stop(), maria.stop()])
  }
}
