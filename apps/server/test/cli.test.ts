/**
 * The operator CLI, run in-process exactly as main.ts runs it (with the Node platform), output captured.
 * The database commands are exercised while a server runs on the same database.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { Action, Permission } from "@gochat/protocol"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { run } from "../src/Cli.js"
import type { RunningServer } from "../src/index.js"
import { TestClient } from "./support/client.js"
import { backends, freshIdentities, type Identity, start, tempDir } from "./support/fixtures.js"

interface CliResult {
  readonly code: number
  readonly out: string
  readonly err: string
}

/** Runs `gochat-server ...args` in-process; returns the exit code and what it printed. */
const cli = async (...args: Array<string>): Promise<CliResult> => {
  let out = ""
  let err = ""
  const log = vi.spyOn(console, "log").mockImplementation((...a: Array<unknown>) => {
    out += a.join(" ") + "\n"
  })
  const error = vi.spyOn(console, "error").mockImplementation((...a: Array<unknown>) => {
    err += a.join(" ") + "\n"
  })
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    err += chunk.toString()
    return true
  })
  const before = process.exitCode
  process.exitCode = undefined
  try {
    await Effect.runPromise(run(["node", "gochat-server", ...args]).pipe(Effect.provide(NodeContext.layer)))
    return { code: Number(process.exitCode ?? 0), out, err }
  } finally {
    process.exitCode = before
    log.mockRestore()
    error.mockRestore()
    stderr.mockRestore()
  }
}

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(3)
})

describe.each(backends)("operator CLI on $name", (backend) => {
  let server: RunningServer
  let db: string
  beforeAll(async () => {
    db = backend.fresh()
    server = await start(db)
    const c = await TestClient.open(server.port)
    expect((await c.register("olive", ids[0].pem)).action).toBe(Action.OK)
    expect((await c.register("pete", ids[1].pem)).action).toBe(Action.OK)
    expect((await c.register("quinn", ids[2].pem)).action).toBe(Action.OK)
    expect((await c.login("quinn", ids[2].key)).reply.action).toBe(Action.OK)
    expect((await c.request(Action.DEREG)).action).toBe(Action.OK)
    c.close()
  })
  afterAll(() => server?.close())

  it("setowner / setperms change levels while the server runs; errors are one line with exit code 1", async () => {
    const owner = await cli("setowner", "--db", db, "OLIVE")
    expect(owner.code).toBe(0)
    expect(owner.out).toContain("olive is now OWNER (2)")
    const c = await TestClient.open(server.port)
    expect((await c.login("olive", ids[0].key)).reply.action).toBe(Action.OK)
    expect([...(await c.request(Action.REQ, ["olive"])).args[2]]).toEqual([Permission.OWNER])
    c.close()

    const perms = await cli("setperms", "--db", db, "pete", "1")
    expect(perms.code).toBe(0)
    expect(perms.out).toContain("pete is now ADMIN (1)")

    const badLevel = await cli("setperms", "--db", db, "pete", "7")
    expect(badLevel.code).toBe(1)
    expect(badLevel.err.trim().split("\n")).toHaveLength(1)
    expect(badLevel.err).toContain('invalid level "7"')

    const missing = await cli("setowner", "--db", db, "nobody")
    expect(missing.code).toBe(1)
    expect(missing.err.trim()).toBe('error: no user "nobody"')
  })

  it("users lists every account with level and deregistered flag", async () => {
    const r = await cli("users", "--db", db)
    expect(r.code).toBe(0)
    const lines = r.out.trim().split("\n")
    expect(lines[0]).toMatch(/^USERNAME\s+LEVEL\s+DEREGISTERED$/)
    expect(lines.find((l) => l.startsWith("pete"))).toMatch(/^pete\s+1 ADMIN\s+no$/)
    expect(lines.find((l) => l.startsWith("quinn"))).toMatch(/^quinn\s+0 USER\s+yes$/)
    expect(lines.at(-1)).toBe("3 account(s)")
  })

  it("clearcache deletes a user's stored messages", async () => {
    const sender = await TestClient.open(server.port)
    expect((await sender.login("pete", ids[1].key)).reply.action).toBe(Action.OK)
    expect((await sender.msg("olive", Uint8Array.of(1))).action).toBe(Action.OK)
    expect((await sender.msg("olive", Uint8Array.of(2))).action).toBe(Action.OK)
    sender.close()
    const r = await cli("clearcache", "--db", db, "olive")
    expect(r.code).toBe(0)
    expect(r.out).toContain("deleted 2 stored message(s) for olive")
    const receiver = await TestClient.open(server.port)
    expect((await receiver.login("olive", ids[0].key)).reply.action).toBe(Action.OK)
    expect((await receiver.request(Action.RECIV)).action).toBe(Action.ERR)
    receiver.close()
  })

  it("migrate reports an up-to-date schema", async () => {
    const r = await cli("migrate", "--db", db)
    expect(r.code).toBe(0)
    expect(r.out).toContain("schema is up to date")
  })
})

describe("operator CLI without a database", () => {
  it("migrate on a new SQLite file applies the migrations (0700 directory, 0600 file)", async () => {
    const dir = path.join(tempDir(), "nested", "data")
    const r = await cli("migrate", "--data-dir", dir)
    expect(r.code).toBe(0)
    expect(r.out).toContain("applied migration 1 init")
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(dir, "gochat.db")).mode & 0o777).toBe(0o600)
  })

  it("config check prints the effective configuration; a bad value is one line naming the key", async () => {
    const dir = tempDir()
    const good = path.join(dir, "server.json")
    // every key of the original's config/server_example.json
    fs.writeFileSync(good, JSON.stringify({
      database: {
        address: "db.local", port: 3307, user: "u", password: "secret", db_name: "chat",
        enable_logs: false, log_file: "logs/database.log"
      },
      server: {
        address: "127.0.0.1", port: 9100, max_clients: 5,
        tls: { enabled: false, port: 8037, cert_file: "certs/gochat.pem", key_file: "certs/gochat.key" },
        logs: { level: "ERROR", log_file: "" },
        default_motd: "hey"
      }
    }))
    const ok = await cli("config", "check", good)
    expect(ok.code).toBe(0)
    const effective = JSON.parse(ok.out.slice(0, ok.out.lastIndexOf("}") + 1))
    expect(effective).toMatchObject({
      address: "127.0.0.1",
      port: 9100,
      maxClients: 5,
      logLevel: "ERROR",
      defaultMotd: "hey",
      database: { kind: "mysql", host: "db.local", port: 3307, user: "u", database: "chat", password: "<redacted>" }
    })
    expect(ok.out).not.toContain("secret")
    // flags override the environment, which overrides the file
    const portOf = (r: CliResult) => JSON.parse(r.out.slice(0, r.out.lastIndexOf("}") + 1)).port
    process.env.GOCHAT_PORT = "9300"
    try {
      expect(portOf(await cli("config", "check", good))).toBe(9300)
      expect(portOf(await cli("config", "check", "--port", "9200", good))).toBe(9200)
    } finally {
      delete process.env.GOCHAT_PORT
    }

    const cases: Array<[unknown, string]> = [
      [{ server: { port: "abc" } }, 'server.port: expected an integer port from 0 to 65535, got "abc"'],
      [{ server: { max_clients: 0 } }, "server.max_clients: expected a positive integer (connections), got 0"],
      [{ server: { tls: { enabled: true } } }, "server.tls.enabled) but has no certificate: set --tls-cert, GOCHAT_TLS_CERT or server.tls.cert_file"],
      [{ server: { logs: { level: "LOUD" } } }, "server.logs.level: expected one of ALL, DEBUG, INFO, WARNING, ERROR, FATAL, NONE"],
      [{ server: { logs: { format: "xml" } } }, "server.logs.format: expected one of text, json"],
      [{ server: { prot: 1 } }, "server.prot: unknown key"],
      [{ server: 5 } , "server: expected an object"],
      [{ database: { address: "x" } }, "set database.user"],
      [{ server: { default_motd: "x".repeat(2046) } }, "server.default_motd: expected at most 2045 bytes"]
    ]
    for (const [json, message] of cases) {
      const file = path.join(dir, "bad.json")
      fs.writeFileSync(file, JSON.stringify(json))
      const r = await cli("config", "check", file)
      expect(r.code).toBe(1)
      expect(r.err.trim().split("\n")).toHaveLength(1)
      expect(r.err).toContain(message)
      expect(r.err).toContain(file)
    }
    fs.writeFileSync(path.join(dir, "broken.json"), "{ not json")
    const broken = await cli("config", "check", path.join(dir, "broken.json"))
    expect(broken.code).toBe(1)
    expect(broken.err).toContain("not valid JSON")
    // serve refuses a bad config the same way, before listening
    fs.writeFileSync(path.join(dir, "nouser.json"), JSON.stringify({ database: { address: "x" } }))
    const serve = await cli("serve", "--config", path.join(dir, "nouser.json"))
    expect(serve.code).toBe(1)
    expect(serve.err).toContain("database.user")
  })

  it("a bad value is one line naming its source, whether a flag, a variable or the file", async () => {
    const dir = tempDir()
    const file = path.join(dir, "server.json")
    fs.writeFileSync(file, JSON.stringify({ server: { port: 70000 } }))
    const flag = await cli("config", "check", "--port", "abc", file)
    expect(flag.err).toBe('error: --port: expected an integer port from 0 to 65535, got "abc"\n')
    process.env.GOCHAT_PORT = "abc"
    process.env.GOCHAT_LOG_FORMAT = "xml"
    try {
      const env = await cli("config", "check", file)
      expect(env.err).toBe('error: environment variable GOCHAT_PORT: expected an integer port from 0 to 65535, got "abc"\n')
      // a flag wins over the variable, so the next bad source is named
      const next = await cli("config", "check", "--port", "9000", file)
      expect(next.err).toBe('error: environment variable GOCHAT_LOG_FORMAT: expected one of text, json, got "xml"\n')
    } finally {
      delete process.env.GOCHAT_PORT
      delete process.env.GOCHAT_LOG_FORMAT
    }
    const inFile = await cli("config", "check", file)
    expect(inFile.err).toBe(`error: ${file}: server.port: expected an integer port from 0 to 65535, got 70000\n`)
    for (const r of [flag, inFile]) {
      expect(r.code).toBe(1)
      expect(r.out).toBe("")
    }
  })

  it("logs go to the configured file with levels and annotations", async () => {
    const logFile = path.join(tempDir(), "logs", "server.log")
    fs.mkdirSync(path.dirname(logFile))
    const server = await start(backends[0].fresh(), { logLevel: "INFO", logFile })
    const c = await TestClient.open(server.port)
    expect((await c.register("logan", ids[0].pem)).action).toBe(Action.OK)
    expect((await c.login("logan", ids[0].key)).reply.action).toBe(Action.OK)
    c.close()
    await server.close()
    expect(fs.statSync(logFile).mode & 0o777).toBe(0o600)
    const lines = fs.readFileSync(logFile, "utf8").trim().split("\n")
    // one readable format: time, level, message, annotations; no fiber ids
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z (DEBUG|INFO |WARN |ERROR|FATAL) \S/)
    expect(lines.join("\n")).not.toMatch(/fiber=|#\d+/)
    const login = lines.find((l) => / INFO  login( |$)/.test(l))
    expect(login).toMatch(/ user=logan( |$)/)
    expect(lines.some((l) => l.includes(" DEBUG "))).toBe(false)
    expect(lines.at(-1)).toMatch(/ INFO  server stopped$/)
  })

  it("gencert writes a self-signed certificate and key with a warning", async () => {
    const out = path.join(tempDir(), "certs")
    const r = await cli("gencert", "--out", out, "--name", "chat.test")
    expect(r.code).toBe(0)
    expect(r.err).toContain("SELF-SIGNED")
    const cert = fs.readFileSync(path.join(out, "gochat.pem"), "utf8")
    expect(cert).toContain("BEGIN CERTIFICATE")
    expect(fs.statSync(path.join(out, "gochat.key")).mode & 0o777).toBe(0o600)
    const { X509Certificate } = await import("node:crypto")
    expect(new X509Certificate(cert).subject).toContain("CN=chat.test")
  })

  it("--help works on the root and on each command", async () => {
    for (const args of [[], ["serve"], ["setowner"], ["setperms"], ["users"], ["clearcache"], ["migrate"], ["config", "check"], ["gencert"]]) {
      const r = await cli(...args, "--help")
      expect(r.code).toBe(0)
      expect(r.out).toMatch(/^usage: gochat-server /m)
    }
  })
})
