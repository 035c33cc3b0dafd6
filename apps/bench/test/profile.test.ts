import { describe, expect, it } from "vitest"
import { summarise } from "../src/profile.js"

// root → a (file:///x/apps/server/src/A.ts) → b (node_modules/effect), plus (idle)
const profile = {
  startTime: 1_000_000,
  endTime: 1_010_000,
  nodes: [
    { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 4] },
    { id: 2, callFrame: { functionName: "handle", url: "file:///r/apps/server/src/A.ts", lineNumber: 9 }, children: [3] },
    { id: 3, callFrame: { functionName: "runLoop", url: "file:///r/node_modules/.pnpm/effect@3/node_modules/effect/dist/x.js", lineNumber: 0 } },
    { id: 4, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } }
  ],
  // 10 samples of 1 ms: 3 in handle itself, 5 in runLoop under it, 2 idle
  samples: [2, 2, 2, 3, 3, 3, 3, 3, 4, 4],
  timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]
}

describe("cpuprofile summary", () => {
  it("self time per function and file as a share of busy time, inclusive time of our code", () => {
    const s = summarise(profile, 10)
    expect(s.total).toBe(8000)
    expect(s.idle).toBe(2000)
    expect(s.functions.map((f) => [f.name, f.selfPct])).toEqual([["runLoop", 62.5], ["handle", 37.5]])
    expect(s.files.map((f) => [f.name, f.selfPct])).toEqual([["effect", 62.5], ["apps/server/src/A.ts", 37.5]])
    expect(s.inclusive).toEqual([{ name: "handle", where: "apps/server/src/A.ts:10", selfPct: 100, selfMs: 8 }])
  })

  it("restricts to a window on the monotonic clock", () => {
    // samples end at startTime + 1..10 ms; keep those ending in (start+3 ms, start+8 ms]
    const s = summarise(profile, 10, { fromUs: 1_003_001, toUs: 1_008_000 })
    expect(s.total).toBe(5000)
    expect(s.functions).toEqual([{ name: "runLoop", where: "effect:1", selfPct: 100, selfMs: 5 }])
  })
})
