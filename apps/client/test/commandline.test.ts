/**
 * The client's command line as the bundle runs it (what `pnpm start client` and the bin run): the original's
 * `gochat-client -shell` and `gochat-client -config c.json -verbose`, `config.json` in the working
 * directory (its shell_server auto-connect included), one-line errors and plain help.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startServer, type RunningServer } from "../../server/src/index.js"
import { bundlePath } from "../../../scripts/build.mjs"
import { tempDir } from "./support/fixtures.js"

const clientBundle = bundlePath("client")
const folder = () => tempDir("gochat-client-cli-")

/**
 * Runs `gochat-client args` in `cwd` with a private HOME and no GOCHAT_ variables, `input` on stdin
 * (asynchronously: the test's in-process server must go on serving meanwhile).
 */
const runClient = (args: ReadonlyArray<string>, cwd: string, input = "", env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; out: string; err: string }>((resolve, reject) => {
    const clean: NodeJS.ProcessEnv = {}
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GOCHAT_")) clean[k] = v
    const child = spawn(process.execPath, [clientBundle, ...args], {
      cwd,
      env: { ...clean, HOME: path.join(cwd, "home"), ...env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stdout.on("data", (c: Buffer) => (out += c.toString()))
    child.stderr.on("data", (c: Buffer) => (err += c.toString()))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`gochat-client ${args.join(" ")} did not end:\n${out}${err}`))
    }, 60_000)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
    child.stdin.end(input)
  })

let server: RunningServer
beforeAll(async () => {
  server = await startServer({ db: `sqlite:${path.join(folder(), "server.db")}`, motd: "hello from the original's flow" })
})
afterAll(async () => {
  await server?.close()
})

describe("the original's client command lines", () => {
  it("`gochat-client -shell` uses config.json in the working directory: its shell_server connects at start, its database is beside it", async () => {
    const dir = folder()
    // the original's config.json shape (use_tls, verify_tls; database path relative to it)
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({
      shell_server: { address: "127.0.0.1", port: server.port, use_tls: false, verify_tls: false },
      database: { path: "client.db", log_path: "logs/database.log", log_level: 2 },
      ui_config: { debug_buffer: false }
    }))
    const r = await runClient(["-shell"], dir, "VER\nSERVERS\nEXIT\n")
    expect(r.code).toBe(0)
    expect(r.err).toBe(`gochat-client: config ${path.join(dir, "config.json")} (config.json in the working directory)\n`)
    expect(r.out).toContain("hello from the original's flow")
    expect(r.out).toContain("gochat protocol version 1")
    expect(r.out).toContain(`127.0.0.1:${server.port}`)
    expect(fs.existsSync(path.join(dir, "client.db"))).toBe(true)
    expect(fs.existsSync(path.join(dir, "home", ".gochat"))).toBe(false)
  })

  it("`gochat-client -config c.json -shell -verbose` reads that file; a config.json there that is not a client's is skipped with one line", async () => {
    const dir = folder()
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({ server: { port: 9037 }, database: { address: "mariadb" } }))
    const given = await runClient(["-config", "c.json", "-shell", "-verbose"], dir, "VERBOSE\nEXIT\n")
    expect(given.code).toBe(0)
    expect(given.err).toBe("")
    // -verbose turned verbose mode on, so VERBOSE turns it off
    expect(given.out).toContain("verbose mode off")
    expect(fs.existsSync(path.join(dir, "c.json"))).toBe(true)

    const skipped = await runClient(["-shell"], dir, "EXIT\n")
    expect(skipped.code).toBe(0)
    expect(skipped.err).toBe(`gochat-client: ${path.join(dir, "config.json")} skipped: it is a gochat server configuration\n`)
    expect(fs.existsSync(path.join(dir, "home", ".gochat", "config.json"))).toBe(true)

    // GOCHAT_HOME is a configuration given: config.json in the working directory is not looked at
    const home = await runClient(["-shell"], dir, "EXIT\n", { GOCHAT_HOME: path.join(dir, "gh") })
    expect(home.err).toBe("")
    expect(fs.existsSync(path.join(dir, "gh", "config.json"))).toBe(true)
  })

  it("a command-line mistake is one plain line with exit status 2, never [object Object]", async () => {
    const dir = folder()
    for (const [args, line] of [
      [["--bogus"], "gochat-client: unknown option --bogus; gochat-client --help lists the options"],
      [["bogus"], 'gochat-client: unknown command "bogus"; gochat-client --help lists the commands'],
      [["msg"], "gochat-client: msg: Missing argument <username>; gochat-client msg --help shows its usage"]
    ] as const) {
      const r = await runClient(args, dir)
      expect(r.code).toBe(2)
      expect(r.err).toBe(`${line}\n`)
      expect(r.out).toBe("")
    }
    fs.writeFileSync(path.join(dir, "broken.json"), "{ not json")
    const broken = await runClient(["-config", "broken.json", "-shell"], dir, "EXIT\n")
    expect(broken.code).toBe(1)
    expect(broken.err.split("\n").filter(Boolean)).toEqual([expect.stringContaining("broken.json")])
    expect(broken.err).not.toMatch(/\[object Object\]|\n\s+at /)
  })

  it("--help and -help: plain text, one line per option and command, no filler or built-ins", async () => {
    const dir = folder()
    for (const args of [["--help"], ["-help"], ["msg", "--help"]]) {
      const r = await runClient(args, dir, "", { FORCE_COLOR: "1" })
      expect(r.code).toBe(0)
      expect(r.out).not.toMatch(/\u001b\[/)
      expect(r.out).not.toMatch(/user-defined piece of text|can be set from environment variables|This setting is optional|--wizard|--completions|--log-level/)
    }
    const root = (await runClient(["--help"], dir)).out.split("\n")
    expect(root.filter((l) => l.trimStart().startsWith("--config "))).toEqual([expect.stringContaining("[default ./config.json")])
    expect(root.filter((l) => /^ {2}msg +Send an encrypted message/.test(l))).toHaveLength(1)
    expect((await runClient(["msg", "--help"], dir)).out).toMatch(/^usage: gochat-client msg <username> <text\.\.\.>$/m)
  })
})
