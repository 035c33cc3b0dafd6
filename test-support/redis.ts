/**
 * A private redis-server for the tests that run several server instances as one service (and for the
 * cluster bench): the system's binary on a free loopback port, no persistence, its working directory a
 * temporary folder removed by `stop`. `restart` stops it and starts it again on the same port (what a
 * Redis restart under traffic looks like to the instances); with no persistence it comes back empty.
 *
 * A missing redis-server is installed through the suite's one list of system programs (scripts/test.mjs:
 * apt-get when root, else one line saying what to install); these tests are never skipped silently.
 */
import { spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { ensureTools, which } from "../scripts/test.mjs"
import { freePort } from "./mariadb.js"

export interface RunningRedis {
  readonly host: string
  readonly port: number
  /** redis://127.0.0.1:<port> */
  readonly url: string
  /** the running server's pid (for CPU figures), undefined while halted */
  readonly pid: number | undefined
  /** Stops the server (SIGTERM) and starts it again on the same port. */
  restart(): Promise<void>
  /** Stops the server without starting it again (`start` brings it back). */
  halt(): Promise<void>
  start(): Promise<void>
  /** Stops it and removes its folder. */
  stop(): Promise<void>
}

/** True once the server at `port` answers PING. */
const answersPing = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" })
    let got = ""
    s.setTimeout(1000, () => {
      s.destroy()
      resolve(false)
    })
    s.once("connect", () => s.write("PING\r\n"))
    s.on("data", (d) => {
      got += d.toString("latin1")
      if (got.includes("\r\n")) {
        s.destroy()
        resolve(got.startsWith("+PONG"))
      }
    })
    s.once("error", () => resolve(false))
  })

export const ensureRedisBinary = (): string => {
  ensureTools(["redis-server"])
  return which("redis-server")!
}

export const startRedis = async (): Promise<RunningRedis> => {
  const bin = ensureRedisBinary()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gochat-redis-"))
  const port = await freePort()
  let child: ChildProcess | undefined
  let exited = true

  const start = async () => {
    const proc = spawn(bin, [
      "--port", String(port),
      "--bind", "127.0.0.1",
      "--dir", dir,
      "--save", "",
      "--appendonly", "no",
      "--daemonize", "no",
      "--logfile", path.join(dir, "redis.log"),
      "--maxclients", "1000"
    ], { stdio: "ignore" })
    child = proc
    exited = false
    proc.once("exit", () => {
      if (child === proc) exited = true
    })
    const deadline = Date.now() + 30_000
    while (!(await answersPing(port))) {
      if (exited || Date.now() > deadline) {
        const log = fs.existsSync(path.join(dir, "redis.log")) ? fs.readFileSync(path.join(dir, "redis.log"), "utf8") : ""
        throw new Error(`redis-server did not start (port ${port}):\n${log.slice(-2000)}`)
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  const halt = async () => {
    const proc = child
    if (proc === undefined || exited) return
    const done = new Promise((r) => proc.once("exit", r))
    proc.kill("SIGTERM")
    let timer: NodeJS.Timeout | undefined
    await Promise.race([done, new Promise((r) => { timer = setTimeout(r, 10_000) })])
    clearTimeout(timer)
    if (!exited) {
      proc.kill("SIGKILL")
      await done
    }
  }

  await start()
  return {
    host: "127.0.0.1",
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return exited ? undefined : child?.pid
    },
    start,
    halt,
    restart: async () => {
      await halt()
      await start()
    },
    stop: async () => {
      await halt()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
