/**
 * `pnpm release`'s Linux executables (scripts/release.mjs) on a machine without Node: each is copied
 * into an empty folder and run there with nothing on PATH (this machine's /usr/bin has a node, so even
 * /usr/bin:/bin would not show that the executables need none) and a fresh HOME. The server runs on
 * SQLite and on MariaDB; the client's one-shot commands register two users, send a message to one who is
 * offline and fetch it at login. The executables are rebuilt only when a source changed.
 */
import { execFile } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase, mariadbInfo, mariadbUrl } from "../../../test-support/index.js"
import { gitCommit } from "../../../scripts/build.mjs"
import { ensureRelease, executableName } from "../../../scripts/release.mjs"
import { repoRoot, tempDir } from "./support/fixtures.js"
import { type ServerProcess, spawnServer } from "./support/process.js"

interface Machine {
  readonly dir: string
  readonly server: string
  readonly client: string
  readonly env: NodeJS.ProcessEnv
  readonly cache: string
}

const servers: Array<ServerProcess> = []

/** An empty folder with the two executables, an empty PATH folder and a HOME of its own. */
const freshMachine = (built: Record<string, string>): Machine => {
  const dir = tempDir("gochat-release-")
  const copy = (app: "server" | "client") => {
    const to = path.join(dir, executableName(app, "linux-x64"))
    fs.copyFileSync(built[`${app}-linux-x64`]!, to)
    fs.chmodSync(to, 0o755)
    return to
  }
  for (const sub of ["bin", "home"]) fs.mkdirSync(path.join(dir, sub))
  const env = { PATH: path.join(dir, "bin"), HOME: path.join(dir, "home"), NO_COLOR: "1", LANG: "C.UTF-8" }
  return { dir, server: copy("server"), client: copy("client"), env, cache: path.join(dir, "home", ".cache", "gochat") }
}

const run = (m: Machine, exe: string, args: ReadonlyArray<string>, extraEnv: NodeJS.ProcessEnv = {}) =>
  new Promise<{ code: number | null; out: string }>((resolve) => {
    execFile(exe, args, { cwd: m.dir, env: { ...m.env, ...extraEnv }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, out: stdout + stderr }))
  })

/** A one-shot client command as user `home` (each user has a GOCHAT_HOME of its own). */
const client = async (m: Machine, home: string, ...args: Array<string>) => {
  const r = await run(m, m.client, args, { GOCHAT_HOME: path.join(m.dir, home) })
  expect(r.code, `gochat-client ${args.join(" ")}:\n${r.out}`).toBe(0)
  return r.out
}

const startServer = async (m: Machine, db: string) => {
  const s = await spawnServer(["--port", "0", "--address", "127.0.0.1", "--db", db], 60_000, { executable: m.server, env: m.env, cwd: m.dir })
  servers.push(s)
  return s
}

/** Stops the server with SIGTERM: a graceful stop exits 0. */
const stopServer = async (s: ServerProcess) => {
  s.child.kill("SIGTERM")
  expect(await s.exited).toEqual({ code: 0, signal: null })
}

/** Registers alice and bob, sends bob (offline) a message and checks that his login fetches it. */
const chat = async (m: Machine, port: number) => {
  fs.writeFileSync(path.join(m.dir, "pw-alice"), "alice's password\n", { mode: 0o600 })
  fs.writeFileSync(path.join(m.dir, "pw-bob"), "bob's password\n", { mode: 0o600 })
  for (const user of ["alice", "bob"]) {
    expect(await client(m, user, "regserver", "local", "127.0.0.1", String(port))).toContain("[OK] server local")
    expect(await client(m, user, "reg", user, "--server", "local", "--password-file", `pw-${user}`))
      .toContain(`[OK] local user ${user} successfully added`)
  }
  const text = "héllo 👋🏽 世界 שלום"
  const sent = await client(m, "alice", "msg", "--server", "local", "--user", "alice", "--password-file", "pw-alice", "bob", text)
  expect(sent).toContain("[OK] message sent correctly")
  const login = await client(m, "bob", "login", "bob", "--server", "local", "--password-file", "pw-bob")
  expect(login).toContain("[OK] logged in as bob")
  expect(login).toMatch(new RegExp(`\\] alice: ${text}\\n`))
  const again = await client(m, "bob", "reciv", "--server", "local", "--user", "bob", "--password-file", "pw-bob")
  expect(again).toContain("[INFO] no new messages")
}

const sha256 = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")

describe("release executables (linux-x64)", () => {
  let built: Record<string, string>
  beforeAll(async () => {
    built = await ensureRelease(["linux-x64"])
  }, 300_000)
  afterAll(() => {
    for (const s of servers) s.child.kill("SIGKILL")
  })

  it("print the version and the commit, and need no Node, pnpm or source tree", async () => {
    const m = freshMachine(built)
    for (const exe of [m.server, m.client]) {
      const r = await run(m, exe, ["--version"])
      expect(r.code).toBe(0)
      expect(r.out.trim()).toBe(`1.0.0 (commit ${gitCommit()})`)
    }
    // nothing but the executables and what they made: the native modules' private cache
    expect(fs.readdirSync(m.dir).sort()).toEqual(["bin", "gochat-client-linux-x64", "gochat-server-linux-x64", "home"])
    expect(fs.statSync(m.cache).mode & 0o777).toBe(0o700)
  })

  it("serve on SQLite to the client's one-shot commands; SIGTERM stops the server with exit code 0", async () => {
    const m = freshMachine(built)
    const s = await startServer(m, `sqlite:${path.join(m.dir, "gochat.db")}`)
    await chat(m, s.port)
    await stopServer(s)
    const [release] = fs.readdirSync(m.cache)
    expect(fs.readdirSync(path.join(m.cache, release!)).sort()).toEqual(["bcrypt.node", "better_sqlite3.node"])
  })

  it("serve on MariaDB", async () => {
    const m = freshMachine(built)
    const s = await startServer(m, mariadbUrl(freshDatabase("release")))
    await chat(m, s.port)
    await stopServer(s)
  })

  it("run as in the container image: compose/entrypoint.sh writes compose's server.json, the MariaDB password comes from GOCHAT_DB_PASSWORD, the server is exec'd (PID 1 there), SIGTERM stops it with exit code 0", async () => {
    const m = freshMachine(built)
    const db = mariadbInfo()
    // compose/config/server.json as shipped (no password in it), pointed at the test MariaDB
    const config = JSON.parse(fs.readFileSync(path.join(repoRoot, "compose", "config", "server.json"), "utf8"))
    expect(config.database.password).toBeUndefined()
    config.database = { ...config.database, address: db.host, port: db.port, user: db.user, db_name: freshDatabase("image") }
    config.server = { ...config.server, address: "127.0.0.1", port: 0 }
    const defaultConfig = path.join(m.dir, "default-server.json")
    fs.writeFileSync(defaultConfig, JSON.stringify(config))
    const configDir = path.join(m.dir, "config")
    const argv = [path.join(repoRoot, "compose", "entrypoint.sh"), m.server, "--config", path.join(configDir, "server.json")]
    const env = { ...m.env, GOCHAT_CONFIG_DIR: configDir, GOCHAT_DEFAULT_CONFIG: defaultConfig }
    // the image's sh has the tools the entrypoint uses; this PATH has only them (no node)
    for (const tool of ["mkdir", "cp", "chmod"]) fs.symlinkSync(`/bin/${tool}`, path.join(m.dir, "bin", tool))
    // without the variable the server has no password: MariaDB refuses it and the start fails with one line
    const refused = await run(m, "/bin/sh", argv, env)
    expect(refused.code).toBe(1)
    expect(refused.out).toMatch(/Access denied for user 'gochat'/)
    const s = await spawnServer(argv, 60_000, { executable: "/bin/sh", env: { ...env, GOCHAT_DB_PASSWORD: db.password }, cwd: m.dir })
    servers.push(s)
    // the shell the entrypoint runs in became the server: in the image that process is PID 1
    expect(s.output()).toContain(`pid ${s.child.pid}\n`)
    await chat(m, s.port)
    await stopServer(s)
  })

  it("repair a damaged or half-written native cache, and refuse a cache folder that is not private", async () => {
    const m = freshMachine(built)
    expect((await run(m, m.server, ["--version"])).code).toBe(0)
    const [release] = fs.readdirSync(m.cache)
    const bcrypt = path.join(m.cache, release!, "bcrypt.node")
    const good = sha256(bcrypt)
    fs.truncateSync(bcrypt, 1000) // a crash while writing
    fs.chmodSync(m.cache, 0o777)
    expect((await run(m, m.server, ["--version"])).code).toBe(0)
    expect(sha256(bcrypt)).toBe(good)
    expect(fs.statSync(m.cache).mode & 0o777).toBe(0o700)
    // a cache folder that is a symbolic link (to somewhere another user could write) is refused
    const elsewhere = fs.mkdtempSync(path.join(m.dir, "elsewhere-"))
    fs.symlinkSync(elsewhere, path.join(m.dir, "linked"))
    const refused = await run(m, m.server, ["--version"], { GOCHAT_CACHE_DIR: path.join(m.dir, "linked") })
    expect(refused.code).toBe(1)
    expect(refused.out).toMatch(/^gochat: cannot unpack its native part bcrypt\.node into its cache folder \(.* is not a folder \(set GOCHAT_CACHE_DIR to another place\)\): set GOCHAT_CACHE_DIR to a folder of your own\n$/)
  })
})
