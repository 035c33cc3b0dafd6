/**
 * The TUI's adapter over the real client core, against a real in-process server: two accounts
 * talk, and a restarted client finds its server, its conversation and the history again.
 */
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { Chunk, Effect, Exit, Fiber, Scope, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../../server/src/index.js"
import { loadConfig } from "../../src/core/index.js"
import type { BackendEvent, TuiBackend } from "../../src/tui/backend.js"
import { makeCoreBackend } from "../../src/tui/coreBackend.js"
import { tempDir } from "../support/fixtures.js"

let server: RunningServer
const scopes: Array<Scope.CloseableScope> = []

const open = async (dir: string): Promise<{ backend: TuiBackend; scope: Scope.CloseableScope }> => {
  const scope = Effect.runSync(Scope.make())
  scopes.push(scope)
  const backend = await Effect.runPromise(
    loadConfig(path.join(dir, "config.json")).pipe(
      Effect.orDie,
      Effect.flatMap(makeCoreBackend),
      Scope.extend(scope)
    )
  )
  return { backend, scope }
}

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)

/** Starts listening now; the fiber ends with the first event of that kind. */
const nextEvent = <T extends BackendEvent["_tag"]>(backend: TuiBackend, tag: T) =>
  Effect.runFork(
    backend.events.pipe(
      Stream.filter((e): e is Extract<BackendEvent, { _tag: T }> => e._tag === tag),
      Stream.take(1),
      Stream.runCollect,
      Effect.map(Chunk.unsafeHead)
    )
  )

describe("coreBackend (real core, real server)", () => {
  beforeAll(async () => {
    server = await startServer({ motd: "adapter test" })
  })
  afterAll(async () => {
    for (const scope of scopes) await run(Scope.close(scope, Exit.void))
    await server?.close()
  })

  it("talks, and reopens servers and conversations after a restart", async () => {
    const aliceDir = tempDir("gochat-adapter-a-")
    const bobDir = tempDir("gochat-adapter-b-")
    const record = { name: "local", address: "127.0.0.1", port: server.port, tls: false }

    const alice = await open(aliceDir)
    const bob = await open(bobDir)
    for (const [c, user] of [
      [alice.backend, "alice"],
      [bob.backend, "bob"]
    ] as const) {
      await run(c.addServer(record))
      expect(await run(c.connect("local", { noVerify: false, noIdle: false }))).toEqual({ motd: "adapter test" })
      await run(c.register("local", user, `${user}-pw`))
      expect(await run(c.login("local", user, `${user}-pw`))).toMatchObject({ permission: expect.any(Number) })
    }
    const wrong = await run(Effect.either(bob.backend.login("local", "bob", "nope")))
    expect(wrong._tag).toBe("Left")

    // bob listens; alice opens the conversation (REQ pins bob's key) and writes.
    const received = nextEvent(bob.backend, "Message")
    const conversation = await run(alice.backend.openConversation("local", "bob"))
    expect(conversation).toMatchObject({ peer: "bob", history: [] })
    expect(conversation.keyChange).toBeUndefined()
    await run(alice.backend.send("local", "bob", "hello from the adapter"))
    const message = await run(Fiber.join(received))
    expect(message).toMatchObject({ server: "local", sender: "alice", text: "hello from the adapter" })

    const online = await run(alice.backend.onlineUsers("local"))
    expect(online.map((u) => u.name).sort()).toEqual(["alice", "bob"])
    expect(await run(alice.backend.fingerprint("local", "bob"))).toMatch(/\S{16,}/)

    // Restart alice's client on the same data folder.
    await run(Scope.close(alice.scope, Exit.void))
    const again = await open(aliceDir)
    expect(await run(again.backend.servers)).toEqual([record])
    await run(again.backend.connect("local", { noVerify: false, noIdle: false }))
    await run(again.backend.login("local", "alice", "alice-pw"))
    expect(await run(again.backend.conversations("local"))).toEqual(["bob"])
    const reopened = await run(again.backend.openConversation("local", "bob"))
    expect(reopened.history).toMatchObject([{ peer: "bob", outgoing: true, text: "hello from the adapter" }])
    expect(await run(again.backend.catchUp("local"))).toEqual({ empty: true })

    // Server settings change only while disconnected; deleting forgets the server.
    await run(again.backend.disconnect("local"))
    expect(await run(again.backend.updateServer("local", { name: "renamed", port: 1234 }))).toEqual({ ...record, name: "renamed", port: 1234 })
    await run(again.backend.deleteServer("renamed"))
    expect(await run(again.backend.servers)).toEqual([])
  }, 120_000)

  it("remembers opened and closed conversations across restarts, and reports a changed key at once", async () => {
    const daveDir = tempDir("gochat-adapter-d-")
    const erinDir = tempDir("gochat-adapter-e-")
    const record = { name: "local", address: "127.0.0.1", port: server.port, tls: false }
    const start = async (dir: string, user: string, fresh: boolean) => {
      const c = await open(dir)
      if (fresh) await run(c.backend.addServer(record))
      await run(c.backend.connect("local", { noVerify: false, noIdle: false }))
      if (fresh) await run(c.backend.register("local", user, `${user}-pw`))
      await run(c.backend.login("local", user, `${user}-pw`))
      return c
    }
    let dave = await start(daveDir, "dave", true)
    const erin = await start(erinDir, "erin", true)

    // Opened without any message: back at the next start.
    expect((await run(dave.backend.openConversation("local", "erin"))).history).toEqual([])
    await run(Scope.close(dave.scope, Exit.void))
    dave = await start(daveDir, "dave", false)
    expect(await run(dave.backend.conversations("local"))).toEqual(["erin"])

    // Closed (Ctrl-X): stays closed...
    await run(dave.backend.closeConversation("local", "erin"))
    await run(Scope.close(dave.scope, Exit.void))
    dave = await start(daveDir, "dave", false)
    expect(await run(dave.backend.conversations("local"))).toEqual([])

    // ...until erin writes.
    const received = nextEvent(dave.backend, "Message")
    await run(erin.backend.send("local", "dave", "still there?"))
    await run(Fiber.join(received))
    expect(await run(dave.backend.conversations("local"))).toEqual(["erin"])
    expect(await run(dave.backend.history("local", "erin"))).toMatchObject([{ outgoing: false, text: "still there?" }])

    // dave's pin for erin no longer matches what the server returns (as if the server swapped
    // keys): opening the conversation reports it, as an event too.
    await run(Scope.close(dave.scope, Exit.void))
    const daveConfig = await run(loadConfig(path.join(daveDir, "config.json")))
    await run(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql`UPDATE contacts SET fingerprint = 'old-fingerprint' WHERE username = 'erin'`).pipe(
        Effect.provide(SqliteClient.layer({ filename: daveConfig.databasePath })),
        Effect.scoped
      )
    )
    dave = await start(daveDir, "dave", false)
    const keyEvent = nextEvent(dave.backend, "KeyChanged")
    const reopened = await run(dave.backend.openConversation("local", "erin"))
    expect(reopened.keyChange).toBeDefined()
    const event = await run(Fiber.join(keyEvent))
    expect(event).toEqual({ _tag: "KeyChanged", server: "local", user: "erin", change: reopened.keyChange })
    expect(event.change.pinned).toBe("old-fingerprint")
    expect(event.change.offered).not.toBe("old-fingerprint")
    const refused = await run(Effect.flip(dave.backend.send("local", "erin", "secret")))
    expect(refused.message).toContain("nothing was sent")
    expect(refused.message).toContain("/trust erin")
    expect(await run(dave.backend.trust("local", "erin"))).toBe(event.change.offered)
    await run(dave.backend.send("local", "erin", "after trust"))
  }, 120_000)
})
