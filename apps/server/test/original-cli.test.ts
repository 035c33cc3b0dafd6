/**
 * The original server's command lines, run unchanged against our bundle (what `pnpm start server` and the
 * bins run): `gochat-server -config server.json`, the Dockerfile's `--config /config/server.json`,
 * `config.json` in the working directory, `gochat-server -shell` with commands from stdin while a server runs
 * on the same database; and the command-line output: one line per bad setting naming its source, plain help.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Action, Permission } from "@gochat/protocol"
import { beforeAll, describe, expect, it } from "vitest"
import { freshDatabase, mariadbUrl } from "../../../test-support/index.js"
import { TestClient } from "./support/client.js"
import { freshIdentities, type Identity, tempDir } from "./support/fixtures.js"
import { serverBundle, spawnServer } from "./support/process.js"

const folder = () => tempDir("gochat-original-cli-")

/** The environment without our GOCHAT_ variables (the test runner's own must not leak in). */
const cleanEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GOCHAT_")) env[k] = v
  return { ...env, ...extra }
}

/** Runs `gochat-server args` to its end, with stdin text, in a folder. */
const runServerCli = (args: ReadonlyArray<string>, options: { cwd?: string; input?: string; env?: Record<string, string> } = {}) => {
  const r = spawnSync(process.execPath, [serverBundle, ...args], {
    cwd: options.cwd ?? folder(),
    input: options.input ?? "",
    env: cleanEnv(options.env),
    encoding: "utf8",
    timeout: 60_000
  })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

/** The original's config/server_example.json shape, pointing at a MariaDB database. */
const originalServerJson = (dbUrl: string, port = 0) => {
  const u = new URL(dbUrl)
  return {
    database: {
      address: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password), db_name: u.pathname.slice(1),
      enable_logs: false, log_file: "logs/database.log"
    },
    server: {
      address: "127.0.0.1", port, max_clients: 50,
      tls: { enabled: false, port: 8037, cert_file: "certs/gochat.pem", key_file: "certs/gochat.key" },
      logs: { level: "ERROR", log_file: "" },
      default_motd: "Welcome to the server!"
    }
  }
}

const ANSI = /\u001b\[/

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(2)
})

describe("the original's server command lines", () => {
  it("`-config server.json` (the original's keys, MariaDB), then `-config server.json -shell` on the running server's database", async () => {
    const dir = folder()
    fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify(originalServerJson(mariadbUrl(freshDatabase("orig")))))
    const server = await spawnServer(["-config", "server.json", "--key-bits", "2048"], 60_000, { cwd: dir, env: cleanEnv() })
    try {
      expect(server.output()).toContain(`config ${path.join(dir, "server.json")}`)
      const c = await TestClient.open(server.port)
      expect((await c.register("olive", ids[0].pem)).action).toBe(Action.OK)
      expect((await c.register("pete", ids[1].pem)).action).toBe(Action.OK)
      expect((await c.login("pete", ids[1].key)).reply.action).toBe(Action.OK)
      expect((await c.msg("olive", Uint8Array.of(1, 2, 3))).action).toBe(Action.OK)
      c.close()

      // the original's commands (upper case) and ours, from stdin, while the server runs
      const shell = runServerCli(["-config", "server.json", "-shell"], {
        cwd: dir,
        input: "SETOWNER olive\nCLEARCACHE olive\nsetperms pete 1\nUSERS\nHELP\nEXIT\nSETOWNER pete\n"
      })
      expect(shell.err).toBe("")
      expect(shell.code).toBe(0)
      expect(shell.out).toContain("olive is now OWNER (2)")
      expect(shell.out).toContain("deleted 1 stored message(s) for olive")
      expect(shell.out).toMatch(/^pete\s+1 ADMIN\s+no$/m)
      expect(shell.out).toMatch(/^ {2}SETOWNER <user> .*\n(.*\n)* {2}CLEARCACHE <user> .*\n(.*\n)* {2}EXIT /m)
      // EXIT ended it: the last line was not run
      expect(shell.out).not.toContain("pete is now OWNER")

      const o = await TestClient.open(server.port)
      expect((await o.login("olive", ids[0].key)).reply.action).toBe(Action.OK)
      expect([...(await o.request(Action.REQ, ["olive"])).args[2]]).toEqual([Permission.OWNER])
      expect((await o.request(Action.RECIV)).action).toBe(Action.ERR)
      o.close()
    } finally {
      server.child.kill("SIGTERM")
      await server.exited
    }
  }, 120_000)

  it("`-shell` reads commands to the end of input; a failed command is one line and exit status 1", () => {
    const dir = folder()
    const r = runServerCli(["-shell", "--db", `sqlite:${path.join(dir, "chat.db")}`], {
      input: "SETOWNER nobody\nfrobnicate\nSETPERMS x\nsetperms x 9\nusers\n"
    })
    expect(r.code).toBe(1)
    expect(r.err.split("\n").filter(Boolean)).toEqual([
      'error: no user "nobody"',
      'error: unknown command "frobnicate"; HELP lists the commands',
      "error: SETPERMS takes 2 argument(s): SETPERMS <user> <level>",
      'error: invalid level "9": expected 0 (USER), 1 (ADMIN) or 2 (OWNER)'
    ])
    expect(r.out).toContain("0 account(s)")
  })

  it("config.json in the working directory is read when no config is given; one that is not ours is skipped with one line", async () => {
    const dir = folder()
    fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify({
      database: { url: `sqlite:${path.join(dir, "chat.db")}` },
      server: { address: "127.0.0.1", port: 0, logs: { level: "ERROR" } }
    }))
    const server = await spawnServer([], 60_000, { cwd: dir, env: cleanEnv() })
    server.child.kill("SIGTERM")
    expect((await server.exited).code).toBe(0)
    expect(server.output()).toMatch(new RegExp(`INFO  config ${path.join(dir, "config.json")}\\n`))
    expect(server.output()).toContain(`database sqlite:${path.join(dir, "chat.db")}`)

    for (const [json, why] of [
      [{ name: "some-package", version: "1.0.0" }, 'it has no "server" or "database" key, so it is not a gochat configuration'],
      [{ shell_server: { address: "", port: 0 }, database: { path: "client.db" } }, "it is a gochat client configuration"]
    ] as const) {
      const other = folder()
      fs.writeFileSync(path.join(other, "config.json"), JSON.stringify(json))
      const s = await spawnServer(["--port", "0", "--address", "127.0.0.1"], 60_000, { cwd: other, env: cleanEnv() })
      s.child.kill("SIGTERM")
      await s.exited
      const lines = s.output().split("\n")
      expect(lines.filter((l) => l.includes("config.json"))).toEqual([
        expect.stringMatching(new RegExp(` WARN  ${path.join(other, "config.json")} skipped: ${why}$`))
      ])
      expect(s.output()).toContain("config none")
      expect(s.output()).toContain(`database sqlite:${path.join(other, "data", "gochat.db")}`)
    }
  }, 120_000)

  it("a bad setting is one line naming its flag, variable or file key, exit status 1, never [object Object]", () => {
    const dir = folder()
    fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify({ server: { max_clients: "many" } }))
    const cases: Array<[ReadonlyArray<string>, Record<string, string>, string]> = [
      [[], { GOCHAT_PORT: "abc" }, 'environment variable GOCHAT_PORT: expected an integer port from 0 to 65535, got "abc"'],
      [[], { GOCHAT_PORT: "70000" }, 'environment variable GOCHAT_PORT: expected an integer port from 0 to 65535, got "70000"'],
      [["--port", "70000"], {}, '--port: expected an integer port from 0 to 65535, got "70000"'],
      [["-config", "server.json"], {}, `${path.join(dir, "server.json")}: server.max_clients: expected a positive integer (connections), got "many"`],
      [["-config", "missing.json"], {}, `${path.join(dir, "missing.json")}: cannot read the config file (ENOENT)`],
      [[], { GOCHAT_LOG_LEVEL: "LOUD" }, "environment variable GOCHAT_LOG_LEVEL: expected one of ALL, DEBUG, INFO, WARNING, ERROR, FATAL, NONE"]
    ]
    for (const [args, env, message] of cases) {
      const r = runServerCli(args, { cwd: dir, env })
      expect(r.code).toBe(1)
      expect(r.err.split("\n").filter(Boolean)).toEqual([expect.stringContaining(`error: ${message}`)])
      expect(r.err + r.out).not.toContain("[object Object]")
    }
    // a command-line mistake: one line, exit status 2
    for (const [args, message] of [
      [["--prot", "1"], "unknown option --prot"],
      [["-port", "1"], "unknown option -port; options are spelled --name"],
      [["frobnicate"], 'unknown command "frobnicate"'],
      [["setowner"], "setowner needs <user>"],
      [["--port"], "--port needs a value"]
    ] as const) {
      const r = runServerCli(args, { cwd: dir })
      expect(r.code).toBe(2)
      expect(r.err.split("\n").filter(Boolean)).toEqual([expect.stringContaining(`error: ${message}`)])
    }
  })

  it("EADDRINUSE is one line with the fix", async () => {
    const dir = folder()
    const first = await spawnServer(["--address", "127.0.0.1", "--port", "0", "--data-dir", dir], 60_000, { env: cleanEnv() })
    try {
      const r = runServerCli(["--address", "127.0.0.1", "--port", String(first.port), "--data-dir", dir])
      expect(r.code).toBe(1)
      expect(r.err).toBe(`error: cannot listen for TCP on 127.0.0.1:${first.port}: the port is already in use (another server running?); stop it or choose another port\n`)
      expect(r.out).not.toMatch(/EADDRINUSE|ERROR/)
    } finally {
      first.child.kill("SIGTERM")
      await first.exited
    }
  }, 60_000)

  it("--log-format json: every line is one JSON object, for log collectors", async () => {
    const dir = folder()
    const server = await spawnServer(["--address", "127.0.0.1", "--port", "0", "--data-dir", dir, "--log-format", "json"], 60_000, { env: cleanEnv() })
    server.child.kill("SIGTERM")
    await server.exited
    const lines = server.output().trim().split("\n")
    expect(lines.length).toBeGreaterThanOrEqual(4)
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>
      expect(record).toMatchObject({ time: expect.stringMatching(/Z$/), level: expect.any(String), message: expect.any(String) })
      expect(record).not.toHaveProperty("fiber")
    }
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toContain("server stopped")
  }, 60_000)

  it("--help and -help: one plain line per option with its default and variable; no colour codes, filler or built-ins", () => {
    for (const args of [["--help"], ["-help"], ["-h"]]) {
      const r = runServerCli(args, { env: { FORCE_COLOR: "1" } })
      expect(r.code).toBe(0)
      expect(r.out).not.toMatch(ANSI)
      expect(r.out).not.toMatch(/user-defined piece of text|can be set from environment variables|--wizard|--completions/)
      expect(r.out.match(/--log-level/g)).toHaveLength(1)
      const port = r.out.split("\n").filter((l) => l.trimStart().startsWith("--port "))
      expect(port).toEqual([expect.stringMatching(/default 9037; \$GOCHAT_PORT; server\.port\]$/)])
      // every option line names its variable
      for (const line of r.out.split("\n").filter((l) => /^ {2}--[a-z]/.test(l))) expect(line).toMatch(/\$GOCHAT_[A-Z_]+/)
    }
    const sub = runServerCli(["setowner", "--help"])
    expect(sub.out).toMatch(/^usage: gochat-server setowner <user> \[options\]$/m)
  })
})
