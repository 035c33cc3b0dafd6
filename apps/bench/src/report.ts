/** The human-readable table printed at the end of a run. */
import type { BenchResults, ScenarioResult } from "./bench.js"
import type { RelayResult } from "./scenarios/relay.js"

type Row = [string, string, string, string, string, string, string, string, string]
const HEAD: Row = ["scenario", "rate", "p50 ms", "p99 ms", "max ms", "srv CPU", "srv RSS", "exactly-once", "errors"]

const mb = (b: number | undefined) => (b === undefined ? "-" : `${(b / 1048576).toFixed(0)} MB`)
const ms = (v: number | undefined) => (v === undefined ? "-" : v < 1 ? v.toFixed(3) : v < 100 ? v.toFixed(2) : v.toFixed(0))
const errs = (e: Record<string, number> | undefined) => {
  const entries = Object.entries(e ?? {})
  return entries.length === 0 ? "0" : entries.map(([k, v]) => `${k}×${v}`).join(" ")
}
const us = (v: number | undefined, unit: string) => (v === undefined ? "-" : `${v.toFixed(1)} µs/${unit}`)

const relayRows = (r: RelayResult, label: string): Row[] => {
  const rows: Row[] = [
    [
      label,
      `${r.msgsPerSec} msg/s`,
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p99),
      ms(r.latencyMs.max),
      us(r.server?.cpuUsPerUnit, "msg"),
      mb(r.server?.rssAfter),
      r.delivery.exactlyOnce ? "yes" : `NO (miss ${r.delivery.missing}, dup ${r.delivery.duplicates}, ?? ${r.delivery.unexpected})`,
      errs(r.errors) + (r.completed ? "" : ` [${r.abortReason}]`)
    ]
  ]
  if (r.loginUnderLoad && r.loginUnderLoad.count > 0) {
    const l = r.loginUnderLoad
    rows.push([`  new login during it (${l.count}×)`, "", ms(l.serverMs.p50), ms(l.serverMs.p99), ms(l.serverMs.max), "", "", "", String(l.failures)])
  }
  return rows
}

const rowsOf = (s: ScenarioResult): Row[] => {
  switch (s.scenario) {
    case "relay":
    case "relay50":
    case "loginload":
    case "pingpong": {
      const p = s.params
      return relayRows(s, `${s.scenario} ${p.pairs}×${p.messages} w${p.window} ${p.size}B`)
    }
    case "cluster": {
      const p = s.params
      return relayRows({ ...s, scenario: "relay" }, `cluster A→B ${p.pairs}×${p.messages} w${p.window} ${p.size}B (CPU: 2 instances + redis)`)
    }
    case "login":
      return [
        [
          `login c=${s.params.concurrency}`,
          `${s.loginsPerSec} login/s`,
          ms(s.serverMs.p50),
          ms(s.serverMs.p99),
          ms(s.serverMs.max),
          us(s.server?.cpuUsPerUnit, "login"),
          mb(s.server?.rssAfter),
          "",
          String(s.failures)
        ]
      ]
    case "offline":
      return [
        [
          `offline store ${s.params.messages}`,
          `${s.store.msgsPerSec} msg/s`,
          "",
          "",
          "",
          us(s.store.server?.cpuUsPerUnit, "msg"),
          mb(s.store.server?.rssAfter),
          "",
          errs(s.store.errors)
        ],
        ...(s.othersDuringStore && s.othersDuringStore.latencyMs.count > 0
          ? [
              [
                "  others' ping-pong during the store",
                `${s.othersDuringStore.latencyMs.count} msgs`,
                ms(s.othersDuringStore.latencyMs.p50),
                ms(s.othersDuringStore.latencyMs.p99),
                ms(s.othersDuringStore.latencyMs.max),
                "",
                "",
                "",
                ""
              ] as Row
            ]
          : []),
        [
          `catch-up ${s.catchUp.received}`,
          `${(s.catchUp.elapsedMs / 1000).toFixed(3)} s`,
          "",
          "",
          "",
          us(s.catchUp.server?.cpuUsPerUnit, "msg"),
          mb(s.catchUp.server?.rssAfter),
          s.catchUp.exactlyOnce ? "yes" : `NO (miss ${s.catchUp.missing}, dup ${s.catchUp.duplicates}, 2nd ${s.catchUp.secondReciv})`,
          ""
        ]
      ]
    case "idle":
      return [
        [
          `idle ${s.params.connections}`,
          s.bytesPerConnection === undefined ? "-" : `${(s.bytesPerConnection / 1024).toFixed(1)} KB/conn`,
          "",
          "",
          "",
          us(s.server?.cpuUsPerUnit, "conn"),
          mb(s.rssAfter),
          "",
          s.failed > 0 ? `${s.failed} failed (${s.firstFailure})` : "0"
        ],
        ["  all accepted after", `${(s.openMs / 1000).toFixed(2)} s`, "", "", "", "", "", "", s.sourceAddresses > 1 ? `${s.sourceAddresses} source addresses` : ""],
        ...(s.newcomerHelloMs
          ? [<Row>["  newcomer's HELLO meanwhile", `${s.newcomerHelloMs.count} conns`, ms(s.newcomerHelloMs.p50), ms(s.newcomerHelloMs.p99), ms(s.newcomerHelloMs.max), "", "", "", ""]]
          : []),
        ...(s.pingPongMs
          ? [<Row>["  logged-in pair's ping-pong meanwhile", `${s.pingPongMs.count} msgs`, ms(s.pingPongMs.p50), ms(s.pingPongMs.p99), ms(s.pingPongMs.max), "", "", "", ""]]
          : [])
      ]
    case "slow":
      return [
        ...relayRows(s.baseline, "slow: others, no slow reader"),
        ...relayRows(s.withSlowReader, "slow: others, with slow reader"),
        [
          `  slow reader ${s.slowReader.dropped ? `dropped after ${(s.slowReader.dropAfterMs! / 1000).toFixed(2)} s` : "NOT dropped"}`,
          `${(s.slowReader.floodBytesSent / 1048576).toFixed(1)} MB flooded`,
          "",
          "",
          "",
          "",
          "",
          s.slowReader.socketClosed ? "socket closed" : "socket open",
          errs(s.slowReader.floodErrors)
        ]
      ]
    case "regflood": {
      const b = s.othersDuringFlood.latencyMs
      return [
        [
          `regflood ${s.params.regs} c=${s.params.concurrency} w${s.params.window}`,
          `${s.regsPerSec} reg/s`,
          "",
          "",
          "",
          us(s.server?.cpuUsPerUnit, "reg"),
          mb(s.server?.rssAfter),
          "",
          errs(s.errors)
        ],
        ["  others' ping-pong during the flood", `${b.count} msgs`, ms(b.p50), ms(b.p99), ms(b.max), "", "", "", ""]
      ]
    }
    case "reconnect":
      return [
        [
          `reconnect ${s.params.users}: all back in`,
          `${(s.allLoggedInMs / 1000).toFixed(2)} s (${s.loginsPerSec} login/s)`,
          "",
          "",
          "",
          us(s.server?.cpuUsPerUnit, "login"),
          mb(s.server?.rssAfter),
          "",
          s.failures > 0 ? `${s.failures} failed (${s.firstFailure})` : "0"
        ],
        ["  one more user's login meanwhile (server part)", `${s.probe.serverMs.count} logins`, ms(s.probe.serverMs.p50), ms(s.probe.serverMs.p99), ms(s.probe.serverMs.max), "", "", "", ""],
        ["  ... whole login incl. its decryption", "", ms(s.probe.totalMs.p50), ms(s.probe.totalMs.p99), ms(s.probe.totalMs.max), "", "", "", ""]
      ]
    case "micro":
      return []
    case "error":
      return [[s.name, "FAILED", "", "", "", "", "", "", s.error.slice(0, 120)]]
  }
}

const pad = (rows: Row[]): string => {
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n")
}

const microLines = (label: string, v: unknown): string[] => {
  if (Array.isArray(v))
    return v.map((row) => {
      if (row && typeof row === "object")
        return `  ${label}: ` + Object.entries(row as Record<string, unknown>).map(([k, x]) => `${k}=${typeof x === "number" ? +x.toPrecision(4) : String(x)}`).join(" ")
      return `  ${label}: ${String(row)}`
    })
  return v === undefined ? [] : [`  ${label}: ${JSON.stringify(v)}`]
}

const med = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** With --repeat: one row per relay-like scenario with the medians over the runs. */
const medianRows = (r: BenchResults): Row[] => {
  const groups = new Map<string, RelayResult[]>()
  for (const s of r.scenarios) {
    const relays: Array<[string, RelayResult]> =
      s.scenario === "relay" || s.scenario === "relay50" || s.scenario === "pingpong" || s.scenario === "loginload"
        ? [[`${s.scenario} ${s.params.pairs}×${s.params.messages}`, s]]
        : s.scenario === "cluster"
        ? [[`cluster ${s.params.pairs}×${s.params.messages}`, { ...s, scenario: "relay" }]]
        : s.scenario === "slow"
          ? [["slow: others, no slow reader", s.baseline], ["slow: others, with slow reader", s.withSlowReader]]
          : []
    for (const [k, v] of relays) groups.set(k, [...(groups.get(k) ?? []), v])
  }
  const rows: Row[] = []
  for (const [k, rs] of groups) {
    if (rs.length < 2) continue
    const cpu = rs.map((x) => x.server?.cpuUsPerUnit).filter((x): x is number => x !== undefined)
    rows.push([
      `median of ${rs.length}: ${k}`,
      `${Math.round(med(rs.map((x) => x.msgsPerSec)))} msg/s`,
      ms(med(rs.map((x) => x.latencyMs.p50))),
      ms(med(rs.map((x) => x.latencyMs.p99))),
      ms(med(rs.map((x) => x.latencyMs.max))),
      cpu.length ? us(med(cpu), "msg") : "-",
      "",
      rs.every((x) => x.delivery.exactlyOnce) ? "yes (all)" : "NO",
      ""
    ])
    const logins = rs.map((x) => x.loginUnderLoad).filter((x) => x !== undefined && x.count > 0)
    if (logins.length > 0)
      rows.push([
        `  new login during it (${logins.reduce((a, l) => a + l!.count, 0)}×)`,
        "",
        ms(med(logins.map((l) => l!.serverMs.p50))),
        ms(med(logins.map((l) => l!.serverMs.p99))),
        ms(Math.max(...logins.map((l) => l!.serverMs.max))),
        "",
        "",
        "",
        ""
      ])
  }
  return rows
}

export const renderTable = (r: BenchResults): string => {
  const rows: Row[] = [HEAD]
  for (const s of r.scenarios) rows.push(...rowsOf(s))
  rows.push(...medianRows(r))
  const out = [
    `gochat bench — ${r.target.kind} at ${r.target.host}:${r.target.port}${r.target.pid ? ` (pid ${r.target.pid})` : " (no pid: no server CPU/RSS)"}`,
    pad(rows)
  ]
  for (const s of r.scenarios) {
    if (s.scenario !== "micro") continue
    out.push("micro-benchmarks:", ...microLines("codec", s.codec), ...microLines("crypto", s.crypto))
    for (const [k, e] of Object.entries(s.errors)) out.push(`  ${k}: ${e}`)
  }
  return out.join("\n")
}
