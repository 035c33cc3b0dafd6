/**
 * Every way an operator stops the server gives one graceful stop: a logged-in user gets SHTDWN, the output
 * ends with "stopped", the exit code is 0 and no process is left behind. Started with the README's own
 * command (`pnpm start server`, in a process group of its own as a shell runs it) and signalled the way a
 * terminal (Ctrl-C: SIGINT to the whole group) or an operator (kill on the top process) does; and started
 * as `node apps/server/dist/main.mjs`, the way the systemd unit runs it.
 */
import * as fs from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { Action, NULL_ID } from "@gochat/protocol"
import { describe, expect, it } from "vitest"
import { TestClient } from "./support/client.js"
import { freshIdentities, tempDir } from "./support/fixtures.js"
import { processGroup, type ServerProcess, spawnPnpmStart, spawnServer } from "./support/process.js"

/** Arguments for a server on a fresh SQLite database, plus a server.json with `timeouts` when given. */
const serverArgs = (timeouts?: Record<string, number>): Array<string> => {
  const dir = tempDir("gochat-stop-")
  const args = ["--port", "0", "--address", "127.0.0.1", "--db", `sqlite:${path.join(dir, "gochat.db")}`, "--log-level", "ERROR", "--key-bits", "2048"]
  if (timeouts === undefined) return args
  fs.writeFileSync(path.join(dir, "server.json"), JSON.stringify({ server: { timeouts } }))
  return [...args, "--config", path.join(dir, "server.json")]
}

/** A logged-in user on the server. */
const loggedIn = async (server: ServerProcess): Promise<TestClient> => {
  const [alice] = await freshIdentities(1)
  const c = await TestClient.open(server.port)
  expect((await c.register("alice", alice.pem)).action).toBe(Action.OK)
  expect((await c.login("alice", alice.key)).reply.action).toBe(Action.OK)
  return c
}

const expectShtdwn = async (c: TestClient) => {
  const notice = await c.next(15_000)
  expect(notice.action).toBe(Action.SHTDWN)
  expect(notice.id).toBe(NULL_ID)
  await c.waitClosed(15_000)
}

/** Resolves once no process of the group is left (the check of "no orphan"), within `timeoutMs`. */
const groupGone = async (pgid: number, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (processGroup(pgid).length > 0) {
    if (Date.now() > deadline) throw new Error(`still running: ${processGroup(pgid).join(", ")}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const killGroup = (server: ServerProcess) => {
  try {
    process.kill(-server.child.pid!, "SIGKILL")
  } catch {
    // already gone
  }
}

describe("pnpm start server", () => {
  it.each([
    { how: "Ctrl-C in a terminal (SIGINT to the process group)", stop: (s: ServerProcess) => process.kill(-s.child.pid!, "SIGINT") },
    { how: "SIGINT to pnpm", stop: (s: ServerProcess) => s.child.kill("SIGINT") },
    { how: "SIGTERM to pnpm", stop: (s: ServerProcess) => s.child.kill("SIGTERM") }
  ])("$how: one graceful stop, exit code 0, nothing left running", async ({ stop }) => {
    const server = await spawnPnpmStart(serverArgs())
    try {
      const pgid = server.child.pid!
      expect(processGroup(pgid)).toContain(server.serverPid)
      const c = await loggedIn(server)
      stop(server)
      await expectShtdwn(c)
      expect(await server.exited).toEqual({ code: 0, signal: null })
      expect(server.output()).toMatch(/ INFO +shutting down\n(?:.*\n)*.* INFO +stopped\n/)
      expect(server.output()).not.toMatch(/second interrupt|ELIFECYCLE/)
      // pnpm exited last: the wrapper and the server are gone already
      expect(processGroup(pgid)).toEqual([])
    } finally {
      killGroup(server)
    }
  }, 90_000)

  it("SIGKILL to pnpm: the wrapper sees its parent gone and stops the server gracefully", async () => {
    const server = await spawnPnpmStart(serverArgs())
    try {
      const c = await loggedIn(server)
      server.child.kill("SIGKILL")
      await expectShtdwn(c)
      await groupGone(server.child.pid!, 15_000)
      expect(server.output()).toMatch(/ INFO +stopped$/m)
    } finally {
      killGroup(server)
    }
  }, 90_000)

  it("a second Ctrl-C during the stop exits at once with code 130", async () => {
    // the stop waits (up to a minute here) for a client that keeps its end of the connection open
    const server = await spawnPnpmStart(serverArgs({ write_ms: 60_000, shutdown_flush_ms: 60_000 }))
    try {
      const halfOpen = net.connect({ port: server.port, host: "127.0.0.1", allowHalfOpen: true })
      halfOpen.on("error", () => {})
      const received: Array<Buffer> = []
      halfOpen.on("data", (chunk: Buffer) => received.push(chunk))
      const ended = new Promise<void>((resolve) => halfOpen.once("end", resolve))
      await new Promise<void>((resolve) => halfOpen.once("data", () => resolve()))
      process.kill(-server.child.pid!, "SIGINT")
      // the server said SHTDWN and ended its side: the stop now waits for this client
      await ended
      expect(Buffer.concat(received).includes(Buffer.from([Action.SHTDWN]))).toBe(true)
      expect(server.output()).toMatch(/ INFO +shutting down$/m)
      const t = Date.now()
      process.kill(-server.child.pid!, "SIGINT")
      const exit = await server.exited
      expect(Date.now() - t).toBeLessThan(30_000)
      expect(exit.code).not.toBe(0)
      expect(server.output()).toMatch(/second interrupt: exiting without finishing the graceful stop/)
      expect(server.output()).not.toMatch(/ INFO +stopped$/m)
      expect(processGroup(server.child.pid!)).toEqual([])
      halfOpen.destroy()
    } finally {
      killGroup(server)
    }
  }, 90_000)
})

describe("node apps/server/dist/main.mjs, no wrapper (as the systemd unit runs it)", () => {
  it.each(["SIGTERM", "SIGINT"] as const)("%s: one graceful stop, exit code 0", async (signal) => {
    const server = await spawnServer(serverArgs())
    try {
      const c = await loggedIn(server)
      server.child.kill(signal)
      await expectShtdwn(c)
      expect(await server.exited).toEqual({ code: 0, signal: null })
      expect(server.output()).toMatch(/ INFO +shutting down\n(?:.*\n)*.* INFO +stopped\n/)
    } finally {
      server.child.kill("SIGKILL")
    }
  }, 90_000)
})
