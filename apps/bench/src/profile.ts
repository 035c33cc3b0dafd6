/**
 * Summarises a V8 .cpuprofile (from `pnpm bench -- --server-prof DIR`): self time per function and per
 * package/file, as a share of all samples.
 *   pnpm exec tsx apps/bench/src/profile.ts DIR/CPU.*.cpuprofile [--top 30]
 */
import * as fs from "node:fs"
import { pathToFileURL } from "node:url"

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
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

export const summarise = (p: Profile, top = 30): { total: number; functions: ProfileLine[]; files: ProfileLine[] } => {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
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
  const pct = (us: number) => Math.round((us / total) * 1000) / 10
  const functions = [...fn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ name: e.name, where: e.where, selfPct: pct(e.us), selfMs: Math.round(e.us / 1000) }))
  const files = [...file.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([f, us]) => ({ name: f, where: "", selfPct: pct(us), selfMs: Math.round(us / 1000) }))
  return { total, functions, files }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2)
  const ti = args.indexOf("--top")
  const top = ti >= 0 ? Number(args[ti + 1]) : 30
  const files = args.filter((a, i) => !a.startsWith("--") && (ti < 0 || i !== ti + 1))
  for (const f of files) {
    const s = summarise(JSON.parse(fs.readFileSync(f, "utf8")) as Profile, top)
    console.log(`${f}: ${(s.total / 1e6).toFixed(2)} s sampled`)
    console.log("  self%   ms  function  (location)")
    for (const l of s.functions) console.log(`  ${l.selfPct.toFixed(1).padStart(5)} ${String(l.selfMs).padStart(5)}  ${l.name}  (${l.where})`)
    console.log("  by file/package:")
    for (const l of s.files) console.log(`  ${l.selfPct.toFixed(1).padStart(5)} ${String(l.selfMs).padStart(5)}  ${l.name}`)
  }
}
