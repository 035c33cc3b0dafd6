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
import { runRelay, type RelayOptions, type RelayResult } from "./relay.js"

export interface ClusterResult extends Omit<RelayResult, "scenario"> {
  readonly scenario: "cluster"
}

export const runCluster = async (
  keys: ReadonlyArray<BenchKey>,
  o: RelayOptions & { readonly warmup: number },
  log: (line: string) => void = () => {}
): Promise<ClusterResult> => {
  const { startRedis } = await import("../../../../test-support/redis.js")
  const { startMariadb } = await import("../../../../test-support/mariadb.js")
  const [redis, maria] = await Promise.all([startRedis(), startMariadb()])
  const targets: Array<RunningTarget> = []
  try {
    const db = `mysql://${maria.user}:${encodeURIComponent(maria.password)}@${maria.host}:${maria.port}/${maria.database}`
    targets.push(await startTarget({ db, redis: redis.url }))
    targets.push(await startTarget({ db, redis: redis.url }))
    const [a, b] = targets
    log(`cluster: instances pid ${a.pid} and ${b.pid}, redis-server pid ${redis.pid}, MariaDB`)
    await registerAll(a, keys.slice(0, 2 * o.pairs))
    if (o.warmup > 0) await runRelay(a, keys, { ...o, messages: o.warmup, name: "warmup", receiverTarget: b })
    const r = await runRelay(a, keys, { ...o, name: "cluster", receiverTarget: b, serverPids: [a.pid, b.pid, redis.pid] })
    return { ...r, scenario: "cluster" }
  } finally {
    await Promise.all(targets.map((t) => t.stop()))
    await Promise.all([redis.stop(), maria.stop()])
  }
}
