/**
 * Turns the JSON files of one `scripts/perf-runs.sh` directory into the comparison table of docs/PERFORMANCE.md.
 *   pnpm exec tsx apps/bench/src/summary.ts bench-results/perf-<time>
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { BenchResults, ScenarioResult } from "./bench.js"
import type { RelayResult } from "./scenarios/relay.js"

const dir = process.argv[2]
if (!dir) {
  console.error("usage: summary.ts <perf directory>")
  process.exit(2)
}
const load = (name: string): BenchResults | undefined => {
  const f = path.join(dir, `${name}.json`)
  return fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, "utf8")) as BenchResults) : undefined
}
const med = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "-")
const k = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : "-")
const of = <T extends ScenarioResult["scenario"]>(r: BenchResults | undefined, s: T) =>
  (r?.scenarios ?? []).filter((x) => x.scenario === s) as Array<Extract<ScenarioResult, { scenario: T }>>

const ofRelay = (r: BenchResults | undefined, s: string): RelayResult[] =>
  (r?.scenarios ?? []).filter((x) => x.scenario === s) as unknown as RelayResult[]

const relay = load("relay")
const misc = load("misc")
const maria = load("mariadb")
const idle10k = load("idle10k")
const rows: string[] = []
const row = (what: string, original: string, goal: string, ours: string, runs: string) => rows.push(`| ${what} | ${original} | ${goal} | ${ours} | ${runs} |`)

const relayRows = (rs: RelayResult[], label: string, original: [string, string, string], goal: [string, string, string]) => {
  if (rs.length === 0) return
  const n = `${rs.length} runs`
  row(`${label}: throughput`, original[0], goal[0], `${k(med(rs.map((r) => r.msgsPerSec)))} msg/s (${k(Math.min(...rs.map((r) => r.msgsPerSec)))}–${k(Math.max(...rs.map((r) => r.msgsPerSec)))})`, n)
  row(`${label}: server CPU`, original[1], goal[1], `${f(med(rs.map((r) => r.server?.cpuUsPerUnit ?? NaN)))} µs/msg`, n)
  row(`${label}: latency p99`, original[2], goal[2], `${f(med(rs.map((r) => r.latencyMs.p99)))} ms (p50 ${f(med(rs.map((r) => r.latencyMs.p50)), 2)}, max ${f(med(rs.map((r) => r.latencyMs.max)))})`, n)
}
const rl = ofRelay(relay, "relay")
relayRows(rl, "relay 10×4,000, 64 in flight, 512 B", ["29,000–35,000 msg/s", "25–30 µs/msg", "56–69 ms"], ["≥ original", "≤ 13 µs/msg", "≤ original"])
relayRows(ofRelay(relay, "relay50"), "relay 50×800", ["~29,000 msg/s", "31 µs/msg", "~240 ms"], ["≥ original", "≤ 13 µs/msg", "≤ original"])
const pp = ofRelay(relay, "pingpong")
if (pp.length) {
  row("ping-pong p50 (1 in flight)", "0.19 ms", "≤ 0.17 ms", `${f(med(pp.map((r) => r.latencyMs.p50)), 3)} ms (p99 ${f(med(pp.map((r) => r.latencyMs.p99)), 3)})`, `${pp.length} runs`)
  row("ping-pong server CPU", "–", "≤ 90 µs/msg", `${f(med(pp.map((r) => r.server?.cpuUsPerUnit ?? NaN)))} µs/msg`, `${pp.length} runs`)
}
const ll = ofRelay(relay, "loginload").map((r) => r.loginUnderLoad).filter((l) => l !== undefined && l.count > 0)
if (ll.length) {
  const count = ll.reduce((a, l) => a + l!.count, 0)
  row("new login during full relay load", "–", "< 50 ms", `p50 ${f(med(ll.map((l) => l!.serverMs.p50)))} ms, p99 ${f(med(ll.map((l) => l!.serverMs.p99)))} ms, max ${f(Math.max(...ll.map((l) => l!.serverMs.max)))} ms`, `${count} logins`)
}
for (const [label, r] of [["SQLite", misc], ["MariaDB", maria]] as const) {
  for (const o of of(r, "offline")) {
    row(`offline store (${label}), OK after commit`, label === "MariaDB" ? "~670 msg/s" : "–", "≥ 6,700 msg/s", `${k(o.store.msgsPerSec)} msg/s, ${f(o.store.server?.cpuUsPerUnit ?? NaN, 0)} µs CPU/msg`, "1 run")
    const od = o.othersDuringStore?.latencyMs
    if (od && od.count > 0)
      row(`others' ping-pong during that store (${label})`, "–", "unaffected (~0.1 ms)", `${od.count} round trips in ${f(o.store.elapsedMs / 1000)} s: p50 ${f(od.p50)} ms, p99 ${f(od.p99)} ms, max ${f(od.max)} ms`, "1 run")
    row(`catch-up of ${o.catchUp.received} (${label})`, label === "MariaDB" ? "0.05 s" : "–", "≤ 0.05 s", `${f(o.catchUp.elapsedMs / 1000, 3)} s, exactly-once: ${o.catchUp.exactlyOnce ? "yes" : "NO"}`, "1 run")
  }
  for (const l of of(r, "login")) row(`login rate (${label}), 4 connections`, "–", "–", `${f(l.loginsPerSec)} logins/s, ${f((l.server?.cpuUsPerUnit ?? NaN) / 1000, 2)} ms server CPU/login`, `${l.logins} logins`)
}
for (const [label, r] of [["3,000", misc], ["10,000", idle10k]] as const)
  for (const i of of(r, "idle"))
    row(`idle connections: ${label}`, label === "3,000" ? "~7 KB each" : "8.3 KB each", "≤ 7 KB at 10,000", `${f((i.bytesPerConnection ?? NaN) / 1024)} KB each (RSS ${f((i.rssBefore ?? 0) / 1048576, 0)} → ${f((i.rssAfter ?? 0) / 1048576, 0)} MB)`, `${i.opened} opened, ${i.failed} failed`)
const slow = of(relay, "slow")
if (slow.length) {
  const b = slow.map((s) => s.baseline)
  const w = slow.map((s) => s.withSlowReader)
  row("slow reader: others without it", "–", "–", `${k(med(b.map((r) => r.msgsPerSec)))} msg/s, p99 ${f(med(b.map((r) => r.latencyMs.p99)))} ms`, `${slow.length} runs`)
  row("slow reader: others while it is flooded", "(Go blocks the senders)", "stay fast", `${k(med(w.map((r) => r.msgsPerSec)))} msg/s, p99 ${f(med(w.map((r) => r.latencyMs.p99)))} ms, max ${f(med(w.map((r) => r.latencyMs.max)))} ms`, `${slow.length} runs`)
  row("slow reader dropped", "never", "yes", `${slow.filter((s) => s.slowReader.dropped).length}/${slow.length}, after ${f(med(slow.map((s) => s.slowReader.dropAfterMs ?? NaN)) / 1000, 2)} s (${f(med(slow.map((s) => s.slowReader.floodBytesSent)) / 1048576)} MB flooded)`, `${slow.length} runs`)
}
const all = [relay, misc, maria, idle10k].flatMap((r) => r?.scenarios ?? [])
const relays = all.flatMap((s) =>
  s.scenario === "relay" || s.scenario === "relay50" || s.scenario === "pingpong" || s.scenario === "loginload" ? [s] : s.scenario === "slow" ? [s.baseline, s.withSlowReader] : []
)
const delivered = relays.reduce((a, r) => a + r.delivery.received, 0)
const bad = relays.filter((r) => !r.delivery.exactlyOnce).length + all.filter((s) => s.scenario === "offline" && !s.catchUp.exactlyOnce).length
row("lost or duplicated messages", "–", "none", bad === 0 ? `none (${k(delivered)} relayed messages checked)` : `${bad} runs with losses/duplicates`, "all runs")

console.log("| measurement | original (issue #8) | goal | ours | runs |")
console.log("|---|---|---|---|---|")
for (const r of rows) console.log(r)
const loads = [relay, misc, maria, idle10k].filter(Boolean).map((r) => `${r!.machine.loadavgBefore[0].toFixed(2)}→${r!.machine.loadavgAfter[0].toFixed(2)}`)
console.log(`\nload average (1 min) before→after each run: ${loads.join(", ")}; ${relay?.machine.cpus} × ${relay?.machine.cpuModel}; node ${relay?.machine.node}`)
