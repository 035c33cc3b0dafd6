/** Command-line options of `pnpm bench`. */
import * as path from "node:path"
import { type CompareTarget, parseCompareTarget } from "./compare.js"
import { ALL_SCENARIOS, DEFAULTS, type BenchOptions, type ScenarioName } from "./bench.js"

export const HELP = `usage: pnpm bench -- [options]

Target (default: start our server as a child process, SQLite in a temp dir):
  --host H --port P      an external gochat server (ours or the original Go one)
  --pid N                its pid, for server CPU per message and RSS (read from /proc)
  --compare H:P[:PID]    run the scenarios against our server and this one, interleaved, and print each
                         figure of both with the ratio (CPU from /proc/PID when given)
  --db D                 our server's database: sqlite (default) | mariadb (a private one is started) | mysql://u:p@h:port/db
  --server-main FILE     our server's entry file: a bundle, or a .ts file run through tsx
                         (default apps/server/dist/main.mjs, what "pnpm start server" runs, rebuilt if stale)
  --server-prof DIR      run our server with --cpu-prof, profiles written to DIR when it exits
Scenarios (comma-separated, default all): --scenarios ${ALL_SCENARIOS.join(",")}
  --quick                small counts everywhere (a smoke test, ~10 s)
  --pairs N --messages N --window N --size N        relay (default 10 × 4000, 64 in flight, 512 B)
  --pairs50 N --messages50 N                         relay50 (default 50 × 800)
  --pingpong N                                       ping-pong messages (default 5000, 1 in flight)
  --logins N --login-concurrency N                   login rate (default 300, 4 connections)
  --reconnect N                                      users of the reconnect storm (default 500)
  --regs N --reg-concurrency N --reg-window N        REG flood (default 2000 REGs, 4 connections × 4 in flight)
  --offline N                                        offline store + catch-up (default 2000)
  --idle N                                           idle connections (default 3000; the tool raises file limits and, past 20000, uses
                                                     source addresses 127.0.0.2... so ports do not run out)
  --slow-pairs N --slow-messages N --flooders N --flood-size N   slow reader (default 10 × 2000, 2 flooders × 2000 B)
  --repeat N             run the scenario list N times (the table adds medians)
  --warmup N             messages per pair of an unreported 10-pair relay run first, then (if offline is
                         selected) one offline store + catch-up (default 2000; 0 = none: a cold server)
  --timeout MS           per measured phase (default 60000)
  --out FILE             JSON output (default bench-results/<timestamp>.json)
  --json                 print the JSON instead of the table`

const fail = (msg: string): never => {
  console.error(`bench: ${msg}\n\n${HELP}`)
  process.exit(2)
}

export const parseArgs = (argv: ReadonlyArray<string>): { options: BenchOptions; out?: string; json: boolean; compare?: CompareTarget } => {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv]
  let o: BenchOptions = { ...DEFAULTS }
  const target: { -readonly [K in keyof BenchOptions["target"]]: BenchOptions["target"][K] } = {}
  let out: string | undefined
  let json = false
  let compare: CompareTarget | undefined
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v)
    if (v === undefined || !Number.isFinite(n) || n < 0) fail(`${flag} needs a number`)
    return n
  }
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const v = () => args[++i]
    switch (a) {
      case "-h":
      case "--help":
        console.log(HELP)
        process.exit(0)
      case "--host":
        target.host = v()
        break
      case "--port":
        target.port = num(a, v())
        break
      case "--pid":
        target.pid = num(a, v())
        break
      case "--compare":
        compare = parseCompareTarget(v() ?? "") ?? fail("--compare needs HOST:PORT or HOST:PORT:PID")
        break
      case "--db":
        target.db = v()
        break
      case "--server-prof": {
        const dir = path.resolve(v() ?? fail("--server-prof needs a directory"))
        target.nodeFlags = ["--cpu-prof", `--cpu-prof-dir=${dir}`]
        break
      }
      case "--server-main":
        target.serverMain = path.resolve(v() ?? fail("--server-main needs a file"))
        break
      case "--scenarios": {
        const list = (v() ?? "").split(",").filter(Boolean)
        for (const s of list) if (!(ALL_SCENARIOS as ReadonlyArray<string>).includes(s)) fail(`unknown scenario ${s}`)
        o = { ...o, scenarios: list as ScenarioName[] }
        break
      }
      case "--quick":
        o = {
          ...o,
          relay: { ...o.relay, pairs: 4, messages: 500 },
          relay50: { ...o.relay50, pairs: 10, messages: 100 },
          pingpong: { ...o.pingpong, messages: 300 },
          login: { ...o.login, logins: 20 },
          reconnect: { users: 20 },
          regflood: { ...o.regflood, regs: 100 },
          offline: { ...o.offline, messages: 200 },
          idle: { connections: 200, settleMs: 200 },
          slow: { ...o.slow, pairs: 2, messages: 300 },
          warmup: 200
        }
        break
      case "--pairs":
        o = { ...o, relay: { ...o.relay, pairs: num(a, v()) } }
        break
      case "--messages":
        o = { ...o, relay: { ...o.relay, messages: num(a, v()) } }
        break
      case "--window":
        o = { ...o, relay: { ...o.relay, window: num(a, v()) } }
        break
      case "--size":
        o = { ...o, relay: { ...o.relay, size: num(a, v()) } }
        break
      case "--pairs50":
        o = { ...o, relay50: { ...o.relay50, pairs: num(a, v()) } }
        break
      case "--messages50":
        o = { ...o, relay50: { ...o.relay50, messages: num(a, v()) } }
        break
      case "--pingpong":
        o = { ...o, pingpong: { ...o.pingpong, messages: num(a, v()) } }
        break
      case "--logins":
        o = { ...o, login: { ...o.login, logins: num(a, v()) } }
        break
      case "--login-concurrency":
        o = { ...o, login: { ...o.login, concurrency: num(a, v()) } }
        break
      case "--reconnect":
        o = { ...o, reconnect: { users: num(a, v()) } }
        break
      case "--regs":
        o = { ...o, regflood: { ...o.regflood, regs: num(a, v()) } }
        break
      case "--reg-concurrency":
        o = { ...o, regflood: { ...o.regflood, concurrency: num(a, v()) } }
        break
      case "--reg-window":
        o = { ...o, regflood: { ...o.regflood, window: num(a, v()) } }
        break
      case "--offline":
        o = { ...o, offline: { ...o.offline, messages: num(a, v()) } }
        break
      case "--idle":
        o = { ...o, idle: { ...o.idle, connections: num(a, v()) } }
        break
      case "--slow-pairs":
        o = { ...o, slow: { ...o.slow, pairs: num(a, v()) } }
        break
      case "--slow-messages":
        o = { ...o, slow: { ...o.slow, messages: num(a, v()) } }
        break
      case "--flooders":
        o = { ...o, slow: { ...o.slow, flooders: num(a, v()) } }
        break
      case "--flood-size":
        o = { ...o, slow: { ...o.slow, floodSize: num(a, v()) } }
        break
      case "--repeat":
        o = { ...o, repeat: Math.max(1, num(a, v())) }
        break
      case "--warmup":
        o = { ...o, warmup: num(a, v()) }
        break
      case "--timeout":
        o = { ...o, timeoutMs: num(a, v()) }
        break
      case "--out":
        out = v()
        break
      case "--json":
        json = true
        break
      default:
        fail(`unknown option ${a}`)
    }
  }
  // --window applies to relay50 too
  o = { ...o, relay50: { ...o.relay50, window: o.relay.window }, target }
  return { options: o, ...(out ? { out } : {}), json, ...(compare ? { compare } : {}) }
}

