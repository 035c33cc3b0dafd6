/**
 * The server as a child process, for tests that kill it or check its exit code: the bundle `pnpm start
 * server` runs (apps/server/dist/main.mjs, rebuilt by the global setup when the sources changed).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { bundlePath } from "../../../../scripts/build.mjs"

export const serverBundle = bundlePath("server")

export interface ServerProcess {
  readonly child: ChildProcess
  readonly port: number
  readonly tlsPort: number | undefined
  readonly output: () => string
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** How to start it, when not as `node <bundle>`: e.g. a release executable, with its own env and folder. */
export interface SpawnOptions {
  readonly executable?: string
  readonly env?: NodeJS.ProcessEnv
  readonly cwd?: string
}

/** Starts `gochat-server [args]` and resolves once it printed the port it listens on. */
export const spawnServer = (args: ReadonlyArray<string>, timeoutMs = 60_000, options: SpawnOptions = {}): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const [command, argv] = options.executable !== undefined
      ? [options.executable, args]
      : [process.execPath, [serverBundle, ...args]]
    const child = spawn(command, argv, {
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {})
    })
    let out = ""
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
      child.once("exit", (code, signal) => res({ code, signal })))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`server did not start in time:\n${out}`))
    }, timeoutMs)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const tcp = /listening on tcp:\/\/[^\s]+:(\d+)/.exec(out)
      if (tcp && /database /.test(out)) {
        clearTimeout(timer)
        const tls = /listening on tls:\/\/[^\s]+:(\d+)/.exec(out)
        resolve({ child, port: Number(tcp[1]), tlsPort: tls ? Number(tls[1]) : undefined, output: () => out, exited })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (chunk: Buffer) => {
      out += chunk.toString()
    })
    void exited.then(({ code }) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${out}`))
    })
  })
