import { describe, expect, it } from "vitest"
import { parseArgs } from "../src/args.js"
import { type CompareResults, parseCompareTarget, renderCompare } from "../src/compare.js"
import type { ScenarioResult } from "../src/bench.js"

const login = (perSec: number, cpu: number | undefined): ScenarioResult => ({
  scenario: "login",
  params: { logins: 10, concurrency: 1 },
  completed: true,
  logins: 10,
  failures: 0,
  elapsedMs: 100,
  loginsPerSec: perSec,
  serverMs: { count: 10, p50: 1, p90: 1, p99: 2, max: 2, mean: 1 },
  decryptMs: { count: 10, p50: 5, p90: 5, p99: 5, max: 5, mean: 5 },
  server: cpu === undefined ? undefined : { cpuUs: cpu * 10, userUs: cpu * 10, sysUs: 0, cpuUsPerUnit: cpu, cpuLoad: 0.5, rssBefore: 1, rssAfter: 1, rssPeak: 1 },
  generator: { cpuUs: 1, cpuUsPerUnit: 1, cpuLoad: 1 },
  monotonicUs: [0, 1]
})

describe("--compare", () => {
  it("parses HOST:PORT[:PID] and refuses anything else", () => {
    expect(parseCompareTarget("10.0.0.2:9037")).toEqual({ host: "10.0.0.2", port: 9037 })
    expect(parseCompareTarget("localhost:9037:4242")).toEqual({ host: "localhost", port: 9037, pid: 4242 })
    expect(parseCompareTarget("localhost")).toBeUndefined()
    expect(parseCompareTarget("localhost:70000")).toBeUndefined()
    expect(parseArgs(["--compare", "h:1:2", "--scenarios", "login"]).compare).toEqual({ host: "h", port: 1, pid: 2 })
  })

  it("prints each figure of both servers with the ratio other / ours (none without the other's CPU)", () => {
    const r: CompareResults = {
      startedAt: "",
      finishedAt: "",
      other: { host: "h", port: 1 },
      machine: { loadavgBefore: [1, 1, 1], loadavgAfter: [2, 2, 2] },
      pairs: [{ ours: login(200, 500), other: login(100, undefined) }]
    }
    const lines = renderCompare(r).split("\n")
    expect(lines.find((l) => l.includes("login/s"))).toMatch(/200\s+100\s+0\.50×/)
    expect(lines.find((l) => l.includes("server µs/login"))).toMatch(/500\s+-\s+-/)
    expect(lines.at(-1)).toContain("load average 1.00 1.00 1.00 before, 2.00 2.00 2.00 after")
  })
})
