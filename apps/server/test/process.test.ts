/**
 * The server as a separate process: an acknowledged offline message survives SIGKILL, and SIGTERM is a
 * graceful stop (SHTDWN to connected users, exit code 0); against SQLite and MariaDB.
 */
import { Action, ErrorCode, NULL_ID } from "@gochat/protocol"
import { describe, expect, it } from "vitest"
import { TestClient } from "./support/client.js"
import { backends, freshIdentities } from "./support/fixtures.js"
import { spawnServer } from "./support/process.js"

// fewer than the 1022 distinct client IDs in total, so each OK names one message
const WINDOW = 32
const KILL_AFTER_OKS = 200

describe.each(backends)("server process on $name", (backend) => {
  it("loses no acknowledged message on SIGKILL; SIGTERM stops gracefully with exit code 0", async () => {
    const [alice, bob] = await freshIdentities(2)
    const db = backend.fresh()
    const args = ["--port", "0", "--address", "127.0.0.1", "--db", db, "--log-level", "ERROR", "--key-bits", "2048,4096"]
    const first = await spawnServer(args)
    const children = [first.child]
    try {
      const a = await TestClient.open(first.port)
      expect((await a.register("alice", alice.pem)).action).toBe(Action.OK)
      expect((await a.register("bob", bob.pem)).action).toBe(Action.OK)
      expect((await a.login("alice", alice.key)).reply.action).toBe(Action.OK)

      // a window of WINDOW messages in flight, refilled on every OK; bob is offline, so each OK means "committed"
      const payloadById = new Map<number, string>()
      let sent = 0
      const sendNext = () => {
        const payload = `message-${sent.toString().padStart(4, "0")}`
        const id = a.send(Action.MSG, ["bob", Buffer.from([0xf8, 0xbf, 0x99, 0x89, 0x0d]), payload])
        payloadById.set(id, payload)
        sent++
      }
      for (let k = 0; k < WINDOW; k++) sendNext()
      const okIds = new Set<number>()
      while (okIds.size < KILL_AFTER_OKS) {
        const ok = await a.next(30_000)
        expect(ok.action).toBe(Action.OK)
        okIds.add(ok.id)
        sendNext()
      }
      // killed mid-way: WINDOW messages are in flight right now
      expect(sent - okIds.size).toBe(WINDOW)
      first.child.kill("SIGKILL")
      expect((await first.exited).signal).toBe("SIGKILL")
      await a.waitClosed()
      // every OK that reached us before the connection died
      for (const p of a.pending()) if (p.action === Action.OK) okIds.add(p.id)
      const ackedPayloads = [...okIds].map((id) => payloadById.get(id)!)
      expect(ackedPayloads.length).toBeGreaterThanOrEqual(KILL_AFTER_OKS)

      const second = await spawnServer(args)
      children.push(second.child)
      const b = await TestClient.open(second.port)
      expect((await b.login("bob", bob.key)).reply.action).toBe(Action.OK)
      expect((await b.request(Action.RECIV)).action).toBe(Action.OK)
      const end = b.send(Action.RECIV)
      const received: Array<string> = []
      while (true) {
        const p = await b.next(30_000)
        if (p.id === end) {
          expect(p.info).toBe(ErrorCode.EMPTY)
          break
        }
        expect(p.action).toBe(Action.RECIV)
        received.push(Buffer.from(p.args[2]).toString())
      }
      for (const payload of ackedPayloads) expect(received).toContain(payload)
      // in the order they were sent, each at most once
      expect(received).toEqual([...received].sort())
      expect(new Set(received).size).toBe(received.length)

      second.child.kill("SIGTERM")
      const notice = await b.next(10_000)
      expect(notice.action).toBe(Action.SHTDWN)
      expect(notice.id).toBe(NULL_ID)
      await b.waitClosed(10_000)
      expect((await second.exited).code).toBe(0)
      expect(second.output()).toMatch(/ INFO +shutting down\n(?:.*\n)*.* INFO +stopped\n/)
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    }
  }, 180_000)
})
