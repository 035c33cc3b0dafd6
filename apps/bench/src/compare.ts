/**
 * `pnpm bench -- --compare HOST:PORT[:PID]`: the chosen scenarios against our server (started as usual)
 * and another gochat server (e.g. the original Go one), interleaved scenario by scenario (ours, then the
 * other, then the next scenario...), so both figures of a row come from the same few seconds of a shared,
 * noisy machine. Each figure is printed with the ratio other / ours. The other server's CPU and RSS are
 * read from /proc/PID when its pid is given.
 */
import * as os from "node:os"
import { type BenchOptions, keysNeeded, runOne, type ScenarioResult, warmUp } from "./bench.js"
import { loadKeys } from "./keys.js"
import { startTarget } from "./target.js"
import { registerAll } from "./users.js"

export interface CompareTarget {
  readonly host: string
  readonly port: number
  readonly pid?: number
}

/** HOST:PORT[:PID] */
export const parseCompareTarget = (spec: string): CompareTarget | undefined => {
  const m = /^(.+?):(\d{1,5})(?::(\d+))?$/.exec(spec)
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return undefined
  return { host: m[1], port: Number(m[2]), ...(m[3] ? { pid: Number(m[3]) } : {}) }
}

export interface CompareResults {
  readonly startedAt: string
  readonly finishedAt: string
  readonly other: CompareTarget
  readonly machine: { loadavgBefore: number[]; loadavgAfter: number[] }
  /** one pair per scenario run: ours first, then the other's, run right after */
  readonly pairs: ReadonlyArray<{ readonly ours: ScenarioResult; readonly other: ScenarioResult }>
}

export const runCompare = async (o: BenchOptions, other: CompareTarget): Promise<CompareResults> => {
  const log = o.log ?? (() => {})
  const startedAt = new Date().toISOString()
  const loadavgBefore = os.loadavg()
  const keys = await loadKeys(keysNeeded(o))
  const ours = await startTarget(o.target)
  const theirs = await startTarget(other)
  const pairs: Array<{ ours: ScenarioResult; other: ScenarioResult }> = []
  try {
    for (const t of [ours, theirs]) {
      await registerAll(t, keys)
      log(`warm-up of ${t.host}:${t.port} (not reported)`)
      await warmUp(t, keys, o)
    }
    const attempt = async (name: (typeof o.scenarios)[number], t: typeof ours): Promise<ScenarioResult> => {
      try {
        return await runOne(name, o, t, keys)
      } catch (e) {
        return { scenario: "error", name, error: e instanceof Error ? e.message : String(e) }
      }
    }
    for (let rep = 0; rep < o.repeat; rep++) {
      for (const name of o.scenarios) {
        log(`running ${name} on ours, then on ${other.host}:${other.port}`)
        const a = await attempt(name, ours)
        const b = await attempt(name, theirs)
        pairs.push({ ours: a, other: b })
      }
    }
  } finally {
    await ours.stop()
  }
  return { startedAt, finishedAt: new Date().toISOString(), other, machine: { loadavgBefore, loadavgAfter: os.loadavg() }, pairs }
}

/** The headline figures of a result, by name (higher is better unless the name says ms, µs or KB). */
export const figuresOf = (s: ScenarioResult): Array<readonly [string, number | undefined]> => {
  switch (s.scenario) {
    case "relay":
    case "relay50":
    case "pingpong":
    case "loginload":
      return [["msg/s", s.msgsPerSec], ["server µs/msg", s.server?.cpuUsPerUnit], ["p50 ms", s.latencyMs.p50], ["p99 ms", s.latencyMs.p99]]
    case "login":
      return [["login/s", s.loginsPerSec], ["server µs/login", s.server?.cpuUsPerUnit], ["server part p50 ms", s.serverMs.p50]]
    case "reconnect":
      return [["all back in ms", s.allLoggedInMs], ["server µs/login", s.server?.cpuUsPerUnit], ["extra login p99 ms", s.probe.serverMs.p99]]
    case "offline":
      return [
        ["store msg/s", s.store.msgsPerSec],
        ["store server µs/msg", s.store.server?.cpuUsPerUnit],
        ["catch-up ms", s.catchUp.elapsedMs],
        ["bystander p99 ms", s.othersDuringStore?.latencyMs.p99]
      ]
    case "regflood":
      return [["reg/s", s.regsPerSec], ["bystander p99 ms", s.othersDuringFlood.latencyMs.p99]]
    case "idle":
      return [["KB/conn", s.bytesPerConnection === undefined ? undefined : s.bytesPerConnection / 1024], ["accept all ms", s.openMs], ["newcomer HELLO p99 ms", s.newcomerHelloMs?.p99]]
    default:
      return "server" in s && s.server && typeof s.server === "object" && "cpuUsPerUnit" in s.server
        ? [["server µs/unit", (s.server as { cpuUsPerUnit: number }).cpuUsPerUnit]]
        : []
  }
}

const fmt = (v: number | undefined) => (v === undefined ? "-" : Math.abs(v) >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3))

export const renderCompare = (r: CompareResults): string => {
  const rows: Array<Array<string>> = [["scenario", "figure", "ours", `${r.other.host}:${r.other.port}`, "other / ours"]]
  for (const { ours, other } of r.pairs) {
    const name = ours.scenario === "error" ? ours.name : ours.scenario
    if (ours.scenario === "error" || other.scenario === "error") {
      rows.push([name, "FAILED", ours.scenario === "error" ? ours.error.slice(0, 60) : "", other.scenario === "error" ? other.error.slice(0, 60) : "", ""])
      continue
    }
    const theirs = new Map(figuresOf(other))
    for (const [figure, a] of figuresOf(ours)) {
      const b = theirs.get(figure)
      rows.push([name, figure, fmt(a), fmt(b), a !== undefined && b !== undefined && a !== 0 ? `${(b / a).toFixed(2)}×` : "-"])
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((x) => x[i].length)))
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ")
  return [
    `gochat bench --compare: ours vs ${r.other.host}:${r.other.port}${r.other.pid ? ` (pid ${r.other.pid})` : " (no pid: no CPU figures)"}, interleaved`,
    ...rows.map((x) => x.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()),
    `load average ${load(r.machine.loadavgBefore)} before, ${load(r.machine.loadavgAfter)} after`
  ].join("\n")
}
