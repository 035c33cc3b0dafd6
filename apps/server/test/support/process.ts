/**
 * The server as a child process, for tests that kill it or check its exit code: the bundle `pnpm start
 * server` runs (apps/server/dist/main.mjs, rebuilt by the global setup when the sources changed), started
 * directly (as a container or systemd runs it) or through the README's own `pnpm start server`.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import { bundlePath } from "../../../../scripts/build.mjs"
import { repoRoot } from "./fixtures.js"

export const serverBundle = bundlePath("server")

export interface ServerProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly tlsPort: number | undefined
  /** the pid the server printed (not the child's when started through pnpm) */
  readonly serverPid: number
  readonly output: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** How to start it, when not as `node <bundle>`: e.g. a release executable, with its own env and folder. */
export interface SpawnOptions {
  readonly executable?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

const listening = (child: ChildProcess, timeoutMs: number): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    let out = ""
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.once("exit", (code, signal) => res({ code, signal })))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`server did not start in time:\n${out}`))
    }, timeoutMs)
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      const tcp = /listening on tcp:\/\/[^\s]+:(\d+)/.exec(out)
      const pid = /, pid (\d+)/.exec(out)
      if (tcp && pid && /database /.test(out)) {
        clearTimeout(timer)
        const tls = /listening on tls:\/\/[^\s]+:(\d+)/.exec(out)
        resolve({
          child,
          port: Number(tcp[1]),
          tlsPort: tls ? Number(tls[1]) : undefined,
          serverPid: Number(pid[1]),
          output: () => out,
          exited
        })
      }
    })
    child.stderr!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${out}`))
    })
  })

/** Starts `node apps/server/dist/main.mjs [args]` (or `options.executable [args]`) and resolves once it printed the port it listens on. */
export const spawnServer = (args: ReadonlyArray<string>, timeoutMs = 60_000, options: SpawnOptions = {}): Promise<ServerProcess> => {
  const [command, argv] = options.executable !== undefined
    ? [options.executable, args]
    : [process.execPath, [serverBundle, ...args]]
  const child = spawn(command, argv, {
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.env !== undefined ? { env: options.env } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {})
  })
  return listening(child, timeoutMs)
}

/**
 * Starts `pnpm start server [args]` from the repository root in a process group of its own, as a shell
 * runs a foreground job: `process.kill(-child.pid, "SIGINT")` is what Ctrl-C in a terminal sends.
 */
export const spawnPnpmStart = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<ServerProcess> =>
  listening(
    spawn("pnpm", ["start", "server", ...args], { cwd: repoRoot, detached: true, stdio: ["ignore", "pipe", "pipe"] }),
    timeoutMs
  )

/** The pids of the live processes in a process group (Linux: read from /proc). */
export const processGroup = (pgid: number): Array<number> => {
  const pids: Array<number> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    let stat: string
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
    } catch {
      continue // gone meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may contain spaces and parentheses, so split after the last ")"
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    if (Number(pgrp) === pgid && state !== "Z") pids.push(Number(entry))
  }
  return pids
}
