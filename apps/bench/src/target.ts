/**
 * The server under test: either an external one (`--host/--port`, optional `--pid` for CPU/RSS), or ours,
 * started as a child process (node + tsx loader directly, so the child's pid IS the server's pid) with a
 * temporary data directory (SQLite) or a MySQL/MariaDB URL; `--db mariadb` starts a private MariaDB first.
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { ensureBuilt } from "../../../scripts/build.mjs"

export interface RunningTarget {
  readonly host: string
  readonly port: number
  /** pid of the server process when known (CPU and RSS are read from /proc/PID) */
  readonly pid: number | undefined
  /** "ours (sqlite)", "ours (mysql)", or "external" */
  readonly kind: string
  readonly db: string
  stop(): Promise<void>
  /** Server output so far (ours only), for error messages. */
  log(): string
}

export interface StartOptions {
  readonly host?: string
  readonly port?: number
  readonly pid?: number
  /** "sqlite" (default), "mariadb" (private server), or a mysql:// URL */
  readonly db?: string
  /** extra node flags for our server, e.g. ["--cpu-prof", "--cpu-prof-dir=..."] */
  readonly nodeFlags?: ReadonlyArray<string>
  /** file descriptor limit for our server (it must hold every idle connection) */
  readonly maxFiles?: number
  readonly maxClients?: number
  /** clustering on: this server is one instance of a service over this Redis (needs a MariaDB `db`) */
  readonly redis?: string
  /** our server's entry file: a bundle, or a .ts file run through tsx (default: the bundle `pnpm start` runs) */
  readonly serverMain?: string
}

const here = path.dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = path.resolve(here, "..", "..", "..")

const tsxLoader = (): string => pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

/** Finds the bound port in the server's startup output. */
export const parsePort = (out: string): number | undefined => {
  for (const re of [/listening[^\n]*?:(\d{2,5})\b/i, /\bport\s+(\d{2,5})\b/i]) {
    const m = re.exec(out)
    if (m && Number(m[1]) > 0) return Number(m[1])
  }
  return undefined
}

const startMariadbFor = async (): Promise<{ url: string; stop: () => Promise<void> }> => {
  const { startMariadb } = await import("../../../test-support/mariadb.js")
  const m = await startMariadb()
  return { url: `mysql://${m.user}:${encodeURIComponent(m.password)}@${m.host}:${m.port}/${m.database}`, stop: () => m.stop() }
}

/**
 * The abuse limits a bench must lift (docs/IMPLEMENTATION.md, "Security"): every scenario connects all its
 * sockets from 127.0.0.1, registers its users from there, floods MSG as fast as the server answers and
 * stores up to millions of messages for few recipients; `idle` holds connections that never log in.
 */
export const BENCH_LIMITS = {
  max_connections_per_address: 1_000_000,
  login_deadline_ms: 86_400_000,
  msg_burst: 100_000_000,
  msg_per_second: 100_000_000,
  offline_burst: 100_000_000,
  offline_per_second: 100_000_000,
  mailbox_max_messages: 1_000_000_000,
  mailbox_max_bytes: 1_000_000_000_000,
  reg_burst: 1_000_000,
  reg_per_minute: 1_000_000
}

export const startTarget = async (opts: StartOptions = {}): Promise<RunningTarget> => {
  if (opts.host !== undefined || opts.port !== undefined) {
    if (opts.port === undefined) throw new Error("--host needs --port")
    return {
      host: opts.host ?? "127.0.0.1",
      port: opts.port,
      pid: opts.pid,
      kind: "external",
      db: "external",
      stop: async () => {},
      log: () => ""
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gochat-bench-"))
  let dbStop: (() => Promise<void>) | undefined
  let dbUrl = `sqlite:${path.join(dir, "gochat.db")}`
  let dbKind = "sqlite"
  if (opts.db === "mariadb") {
    const m = await startMariadbFor()
    dbUrl = m.url
    dbStop = m.stop
    dbKind = "mariadb (private)"
  } else if (opts.db && opts.db !== "sqlite") {
    dbUrl = opts.db
    dbKind = opts.db.startsWith("mysql:") ? "mysql" : opts.db
  }
  const config = {
    database: { url: dbUrl },
    ...(opts.redis !== undefined ? { cluster: { redis_url: opts.redis } } : {}),
    server: {
      address: "127.0.0.1",
      port: 0,
      max_clients: opts.maxClients ?? 20_000,
      data_dir: dir,
      logs: { level: "ERROR", log_file: path.join(dir, "server.log") },
      limits: BENCH_LIMITS
    }
  }
  const configPath = path.join(dir, "server.json")
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2))
  const maxFiles = opts.maxFiles ?? 20_000
  // the server as operators run it (`pnpm start server`: the bundle, rebuilt here if the sources changed)
  const main = opts.serverMain ?? (await ensureBuilt("server"))
  const loader = main.endsWith(".ts") ? ["--import", tsxLoader()] : []
  const node = [...(opts.nodeFlags ?? []), ...loader, main, "--config", configPath, "--port", "0"]
  // `exec` keeps the pid: the child we hold IS the server process.
  const child: ChildProcess = spawn("sh", ["-c", `ulimit -n ${maxFiles} 2>/dev/null || true; exec "$0" "$@"`, process.execPath, ...node], {
    cwd: dir,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NODE_ENV: "production" }
  })
  let out = ""
  let onOutput: () => void = () => {}
  const collect = (d: Buffer) => {
    out += d.toString()
    if (out.length > 100_000) out = out.slice(-50_000)
    onOutput()
  }
  child.stdout!.on("data", collect)
  child.stderr!.on("data", collect)
  let exited: number | null | undefined
  const exitP = new Promise<void>((res) =>
    child.once("exit", (code, sig) => {
      exited = code ?? (sig ? -1 : 0)
      onOutput()
      res()
    })
  )
  const cleanup = async () => {
    if (exited === undefined) {
      child.kill("SIGTERM")
      const t = setTimeout(() => child.kill("SIGKILL"), 10_000)
      await exitP
      clearTimeout(t)
    }
    if (dbStop) await dbStop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  // event-driven: re-check the output each time the child prints something or exits
  const port = await new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 60_000)
    onOutput = () => {
      const p = parsePort(out)
      if (p !== undefined || exited !== undefined) {
        clearTimeout(timer)
        onOutput = () => {}
        resolve(p)
      }
    }
    onOutput()
  })
  if (port === undefined) {
    await cleanup()
    throw new Error(`our server did not start (exit ${exited}):\n${out.slice(-3000)}`)
  }
  return {
    host: "127.0.0.1",
    port,
    pid: child.pid,
    kind: `ours (${dbKind})`,
    db: dbKind,
    stop: cleanup,
    log: () => out
  }
}
