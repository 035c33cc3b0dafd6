/** `runBench` end to end with tiny counts: the JSON file written and the table printed. */
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { DEFAULTS, runBench, writeResults, type BenchResults } from "../src/bench.js"
import { renderTable } from "../src/report.js"
import { tempDir } from "../../../test-support/tempDir.js"

/** another server entry file to test against (development only); default: apps/server/src/main.ts */
const serverMain = process.env.GOCHAT_BENCH_SERVER_MAIN

describe("runBench", () => {
  it("runs the selected scenarios (twice, after a warm-up) against a server it starts, writes JSON and renders a table", async () => {
    const lines: string[] = []
    const results = await runBench({
      ...DEFAULTS,
      scenarios: ["relay", "pingpong", "offline", "idle"],
      target: serverMain ? { serverMain } : {},
      relay: { pairs: 2, messages: 20, window: 4, size: 100 },
      pingpong: { messages: 10, size: 100 },
      offline: { messages: 10, window: 4, size: 100 },
      idle: { connections: 10, settleMs: 0 },
      warmup: 20,
      repeat: 2,
      log: (l) => lines.push(l)
    })
    const file = writeResults(results, path.join(tempDir("bench-json-"), "r.json"))
    const json = JSON.parse(fs.readFileSync(file, "utf8")) as BenchResults
    expect(json.target.kind).toMatch(/^ours/)
    expect(json.target.pid).toBeGreaterThan(0)
    expect(json.machine.cpus).toBeGreaterThan(0)
    expect(json.scenarios.map((s) => s.scenario)).toEqual(["relay", "pingpong", "offline", "idle", "relay", "pingpong", "offline", "idle"])
    const [relay, ping, offline, idle] = json.scenarios
    expect(relay).toMatchObject({ completed: true, delivery: { received: 40, exactlyOnce: true } })
    expect(relay).toHaveProperty("latencyMs.p99")
    expect(relay).toHaveProperty("server.cpuUsPerUnit")
    expect(relay).not.toHaveProperty("loginUnderLoad")
    expect(ping).toMatchObject({ completed: true, params: { pairs: 1, window: 1 }, delivery: { exactlyOnce: true } })
    expect(offline).toMatchObject({ store: { acked: 10 }, catchUp: { received: 10, exactlyOnce: true } })
    expect(idle).toMatchObject({ opened: 10, failed: 0 })
    const table = renderTable(results)
    expect(table).toContain("relay 2×20 w4 100B")
    expect(table).toContain("catch-up 10")
    expect(table).not.toContain("FAILED")
    expect(table).toContain("median of 2: relay 2×20")
    expect(lines.some((l) => l.startsWith("warm-up"))).toBe(true)
    expect(lines.some((l) => l.startsWith("server: ours"))).toBe(true)
  }, 180_000) // a clean checkout first generates the RSA-4096 keys (seconds each)
})
