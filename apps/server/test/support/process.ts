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

/** Starts `gochat-server [args]` and resolves once it printed the port it listens on. */
export const spawnServer = (args: ReadonlyArray<string>, timeoutMs = 60_000): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverBundle, ...args], { stdio: ["ignore", "pipe", "pipe"] })
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
