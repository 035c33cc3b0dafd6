import { describe, expect, it } from "vitest"
import { describeFailure, fromOriginalFlags } from "../src/commandLine.js"

const flags = { config: { to: "--config", value: true }, shell: { to: "--shell" } }

describe("fromOriginalFlags", () => {
  it("rewrites only the original's exact spellings, and nothing after --", () => {
    expect(fromOriginalFlags(["-config", "c.json", "-shell"], flags)).toEqual(["--config", "c.json", "--shell"])
    expect(fromOriginalFlags(["-config=c.json", "-shell=true"], flags)).toEqual(["--config=c.json", "--shell"])
    expect(fromOriginalFlags(["-shell=false", "msg"], flags)).toEqual(["msg"])
    // unknown single-dash words, ours, values and words after -- stay as they are
    expect(fromOriginalFlags(["-port", "1", "--config", "-shell.json", "-Shell", "--", "-shell"], flags))
      .toEqual(["-port", "1", "--config", "-shell.json", "-Shell", "--", "-shell"])
    expect(fromOriginalFlags(["-shell=maybe"], flags)).toEqual(["-shell=maybe"])
  })
})

describe("describeFailure", () => {
  it("is one line, never [object Object]", () => {
    expect(describeFailure(new Error("first\nsecond"))).toBe("first")
    expect(describeFailure({ _tag: "SqlError" })).toBe("SqlError (unexpected failure)")
    expect(describeFailure({ code: 7 })).toBe('unexpected failure {"code":7}')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(describeFailure(cyclic)).toBe("unexpected failure")
    expect(describeFailure("text")).toBe("text")
  })
})
