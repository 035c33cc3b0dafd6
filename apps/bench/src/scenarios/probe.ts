/**
 * A user logging in and out in a loop in a process of its own (a child of the generator), so that its
 * latency is the server's and not the generator's: during a login storm the generator is busy decrypting
 * everyone else's challenges (~5 ms each), and a reply to this user would wait behind them. (A worker
 * thread cannot load the TypeScript sources through tsx on Node 20; a child process can.)
 * Started by `startProbe`; stops when told and answers with its samples (ms).
 */
import * as crypto from "node:crypto"
import { fork } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { BenchConn, type Target } from "../conn.js"
import { type BenchKey, toBenchKey } from "../keys.js"
import { login, logout } from "../users.js"

interface ProbeData {
  readonly target: Target
  readonly index: number
  readonly privatePem: string
}

export interface ProbeSamples {
  readonly serverMs: ReadonlyArray<number>
  readonly totalMs: ReadonlyArray<number>
  readonly error?: string
}

export interface Probe {
  /** Resolves once the probe is connected and about to log in for the first time. */
  readonly ready: Promise<void>
  stop(): Promise<ProbeSamples>
}

/** Starts the probe process for `key` against `target`. */
export const startProbe = (target: Target, key: BenchKey): Probe => {
  const privatePem = key.privateKey.export({ type: "pkcs1", format: "pem" }) as string
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href
  const child = fork(fileURLToPath(import.meta.url), ["--probe"], { execArgv: ["--import", tsx], stdio: ["ignore", "inherit", "inherit", "ipc"] })
  let onReady: () => void = () => {}
  let readyFailed: (e: Error) => void = () => {}
  const ready = new Promise<void>((r, f) => {
    onReady = r
    readyFailed = f
  })
  const result = new Promise<ProbeSamples>((resolve, reject) => {
    child.on("message", (m: { readonly ready: true } | ProbeSamples) => {
      if ("ready" in m) onReady()
      else resolve(m)
    })
    child.once("error", reject)
    child.once("exit", (code) => {
      const e = new Error(`probe process exited (${code})`)
      readyFailed(e)
      reject(e)
    })
  })
  result.catch(() => {})
  child.send({ target: { host: target.host, port: target.port }, index: key.index, privatePem } satisfies ProbeData)
  let stopped: Promise<ProbeSamples> | undefined
  return {
    ready,
    stop: () => {
      stopped ??= (async () => {
        if (child.connected) child.send("stop")
        try {
          return await result
        } finally {
          child.kill()
        }
      })()
      return stopped
    }
  }
}

const run = async (data: ProbeData) => {
  const key = toBenchKey(data.index, crypto.createPrivateKey(data.privatePem))
  let running = true
  const serverMs: Array<number> = []
  const totalMs: Array<number> = []
  let error: string | undefined
  process.on("message", () => {
    running = false
  })
  const conn = await BenchConn.connect(data.target)
  process.send!({ ready: true })
  try {
    while (running && conn.closedReason === undefined) {
      const s = performance.now()
      const t = await login(conn, key)
      serverMs.push(t.serverMs)
      totalMs.push(performance.now() - s)
      await logout(conn)
    }
  } catch (e) {
    error = String(e)
  } finally {
    conn.close()
  }
  process.send!({ serverMs, totalMs, ...(error ? { error } : {}) } satisfies ProbeSamples, () => process.disconnect())
}

if (process.argv[2] === "--probe" && process.send !== undefined) process.once("message", (data: ProbeData) => void run(data))
