import { Action, PacketFramer } from "@gochat/protocol"
import { describe, expect, it } from "vitest"
import { parseArgs } from "../src/args.js"
import { MsgTemplate, bodySender, bodySeq, idForSeq } from "../src/frames.js"
import { percentiles } from "../src/stats.js"

describe("pre-encoded MSG frames", () => {
  it("patch the request ID and sequence number into a valid frame the server side decodes", () => {
    const t = new MsgTemplate("bob", 7, 512, 1754476540)
    const seqs = [0, 1, 1021, 1022, 1023, 65535, 0x7fffffff]
    const buf = new Uint8Array(seqs.length * t.size)
    seqs.forEach((seq, k) => t.writeTo(buf, k * t.size, idForSeq(seq), seq))
    const framer = new PacketFramer("server")
    const packets = framer.push(buf)
    expect(framer.error).toBeUndefined()
    expect(packets.map((p) => p.id)).toEqual(seqs.map(idForSeq))
    for (const [k, p] of packets.entries()) {
      expect(p.action).toBe(Action.MSG)
      expect(new TextDecoder().decode(p.args[0])).toBe("bob")
      expect(p.args[2].length).toBe(512)
      expect(bodySender(p.args[2])).toBe(7)
      expect(bodySeq(p.args[2])).toBe(seqs[k])
    }
    for (let i = 0; i + 1 < t.size - 2; i++) {
      // no CRLF inside the body (the original splits arguments on it)
      if (i > t.size - 2 - 512) expect(buf[i] === 0x0d && buf[i + 1] === 0x0a).toBe(false)
    }
    expect(Math.min(...seqs.map(idForSeq))).toBeGreaterThanOrEqual(1)
    expect(Math.max(...seqs.map(idForSeq))).toBeLessThanOrEqual(1022)
  })
})

describe("percentiles", () => {
  it("nearest rank", () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(p).toMatchObject({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 })
    expect(percentiles([])).toMatchObject({ count: 0, p50: 0 })
  })
})

describe("command line", () => {
  it("parses a target and scenario selection", () => {
    const { options, out, json } = parseArgs(["--", "--host", "10.0.0.2", "--port", "9037", "--pid", "42", "--scenarios", "relay,idle", "--pairs", "3", "--window", "8", "--idle", "10000", "--out", "x.json", "--json"])
    expect(options.target).toEqual({ host: "10.0.0.2", port: 9037, pid: 42 })
    expect(options.scenarios).toEqual(["relay", "idle"])
    expect(options.relay).toMatchObject({ pairs: 3, messages: 4000, window: 8, size: 512 })
    expect(options.relay50.window).toBe(8)
    expect(options.idle.connections).toBe(10000)
    expect(out).toBe("x.json")
    expect(json).toBe(true)
  })
})
