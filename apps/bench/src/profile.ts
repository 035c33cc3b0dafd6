/**
 * Summarises a V8 .cpuprofile (from `pnpm bench -- --server-prof DIR`): self time per function and per
 * package/file, as a share of all samples.
 *   pnpm exec tsx apps/bench/src/profile.ts DIR/CPU.*.cpuprofile [--top 30] [--skip-ms N] [--until-ms N]
 *     [--results bench-results/X.json --scenario relay|offline.store|...]   (only that measured phase)
 */
import * as fs from "node:fs"
import { pathToFileURL } from "node:url"

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  startTime: number
  endTime: number
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}

export interface ProfileLine {
  readonly name: string
  readonly where: string
  readonly selfPct: number
  readonly selfMs: number
}

const shortUrl = (url: string): string => {
  if (!url) return "(native)"
  const u = url.replace(/^file:\/\//, "")
  const nm = u.lastIndexOf("/node_modules/")
  if (nm >= 0) {
    const rest = u.slice(nm + 14).split("/")
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]
  }
  const i = u.indexOf("/apps/") >= 0 ? u.indexOf("/apps/") : u.indexOf("/libs/")
  return i >= 0 ? u.slice(i + 1) : u.startsWith("node:") ? u : u.split("/").slice(-2).join("/")
}

/**
 * Self time per function and per file. Percentages are of the BUSY time (idle excluded). `skipMs` ignores the
 * first part of the profile (server start-up: module compilation) and `untilMs` the end.
 */
export const summarise = (
  p: Profile,
  top = 30,
  window: { skipMs?: number; untilMs?: number; fromUs?: number; toUs?: number } = {}
): { total: number; idle: number; functions: ProfileLine[]; files: ProfileLine[]; inclusive: ProfileLine[] } => {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const idleIds = new Set(p.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id))
  const self = new Map<number, number>()
  let t = 0
  let idle = 0
  // sample times are relative to the profile's start; fromUs/toUs are absolute monotonic µs
  const from = window.fromUs !== undefined ? window.fromUs - p.startTime : (window.skipMs ?? 0) * 1000
  const until = window.toUs !== undefined ? window.toUs - p.startTime : window.untilMs === undefined ? Infinity : window.untilMs * 1000
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0
    t += d
    if (t < from || t > until) continue
    if (idleIds.has(p.samples[i])) {
      idle += d
      continue
    }
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + d)
  }
  let total = 0
  for (const v of self.values()) total += v
  const fn = new Map<string, { name: string; where: string; us: number }>()
  const file = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const cf = n.callFrame
    const where = cf.url ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : "(native)"
    const name = cf.functionName || "(anonymous)"
    const key = `${name} ${where}`
    const e = fn.get(key) ?? { name, where, us: 0 }
    e.us += us
    fn.set(key, e)
    const f = cf.url ? shortUrl(cf.url) : name.startsWith("(") ? name : "(native)"
    file.set(f, (file.get(f) ?? 0) + us)
  }
  // inclusive time of our own code's functions (apps/, libs/): a frame's subtree, counted once per stack
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const incl = new Map<string, { name: string; where: string; us: number }>()
  for (const [id, us] of self) {
    const seen = new Set<string>()
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame
      const f = cf.url ? shortUrl(cf.url) : ""
      if (!(f.startsWith("apps/") || f.startsWith("libs/"))) continue
      const where = `${f}:${cf.lineNumber + 1}`
      const name = cf.functionName || "(anonymous)"
      const key = `${name} ${where}`
      if (seen.has(key)) continue
      seen.add(key)
      const e = incl.get(key) ?? { name, where, us: 0 }
      e.us += us
      incl.set(key, e)
    }
  }
  const pct = (us: number) => Math.round((us / total) * 1000) / 10
  const functions = [...fn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPct: pct(e.us), selfMs: Math.round(e.us / 1000) }))
  const files = [...file.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([f, us]) => ({ name: f, where: "", selfPct: pct(us), selfMs: Math.round(us / 1000) }))
  const inclusive = [...incl.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPct: pct(e.us), selfMs: Math.round(e.us / 1000) }))
  return { total, idle, functions, files, inclusive }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2)
  const ti = args.indexOf("--top")
  const si = args.indexOf("--skip-ms")
  const ui = args.indexOf("--until-ms")
  // --results FILE.json [--scenario NAME]: only the measured phase of that scenario (relay, relay50, pingpong)
  const ri = args.indexOf("--results")
  const ni = args.indexOf("--scenario")
  let phase: { fromUs: number; toUs: number } | undefined
  if (ri >= 0) {
    const r = JSON.parse(fs.readFileSync(args[ri + 1], "utf8")) as { scenarios: Array<Record<string, unknown>> }
    // NAME or NAME.part, e.g. relay, pingpong, login, offline.store, offline.catchUp, slow.withSlowReader
    const [name, ...part] = (ni >= 0 ? args[ni + 1] : "relay").split(".")
    const found = r.scenarios
      .filter((x) => x.scenario === name)
      .map((x) => part.reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), x))
      .find((x) => x && typeof x === "object" && "monotonicUs" in x) as { monotonicUs: [number, number] } | undefined
    if (!found) throw new Error(`no measured phase for ${args[ni + 1] ?? "relay"} in ${args[ri + 1]}`)
    const s = found
    phase = { fromUs: s.monotonicUs[0], toUs: s.monotonicUs[1] }
  }
  const top = ti >= 0 ? Number(args[ti + 1]) : 30
  const valueIdx = new Set([ti, si, ui, ri, ni].filter((i) => i >= 0).map((i) => i + 1))
  const files = args.filter((a, i) => !a.startsWith("--") && !valueIdx.has(i))
  for (const f of files) {
    const s = summarise(JSON.parse(fs.readFileSync(f, "utf8")) as Profile, top, {
      ...(si >= 0 ? { skipMs: Number(args[si + 1]) } : {}),
      ...(ui >= 0 ? { untilMs: Number(args[ui + 1]) } : {}),
      ...phase
    })
    console.log(`${f}: ${(s.total / 1e6).toFixed(2)} s busy, ${(s.idle / 1e6).toFixed(2)} s idle (percentages are of busy time)`)
    console.log("  self%   ms  function  (location)")
    for (const l of s.functions) console.log(`  ${l.selfPct.toFixed(1).padStart(5)} ${String(l.selfMs).padStart(5)}  ${l.name}  (${l.where})`)
    console.log("  inclusive (our code: apps/, libs/):")
    for (const l of s.inclusive) console.log(`  ${l.selfPct.toFixed(1).padStart(5)} ${String(l.selfMs).padStart(5)}  ${l.name}  (${l.where})`)
    console.log("  by file/package:")
    for (const l of s.files) console.log(`  ${l.selfPct.toFixed(1).padStart(5)} ${String(l.selfMs).padStart(5)}  ${l.name}`)
  }
}
