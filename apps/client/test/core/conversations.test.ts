/**
 * Conversations kept per account (migration 0002, Store.openConversations / setConversationOpen),
 * the KeyChanged event and the login's permission, against the real server.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqlClient } from "@effect/sql"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { fingerprint, publicKeyOf } from "@gochat/crypto"
import { Effect, Layer } from "effect"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../../server/src/index.js"
import { type ClientEvent } from "../../src/core/Client.js"
import { commands } from "../../src/core/index.js"
import { migrations } from "../../src/core/migrations.js"
import { Store } from "../../src/core/Store.js"
import { forgePinnedKey, goldenKey, goldenPem, makeTestClient, type TestClient, tempDir } from "../support/fixtures.js"

const isMessage = (from: string, text: string) => (e: ClientEvent): e is Extract<ClientEvent, { _tag: "MessageReceived" }> =>
  e._tag === "MessageReceived" && e.from === from && e.text === text
const isKeyChanged = (e: ClientEvent): e is Extract<ClientEvent, { _tag: "KeyChanged" }> => e._tag === "KeyChanged"

const withStore = <A, E>(file: string, f: (store: Store) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.flatMap(Store, f).pipe(Effect.provide(Store.layerFile(file))) as Effect.Effect<A, E>)

describe("Store conversations", () => {
  it("keeps open conversations per account, in (re)open order; closing hides one", async () => {
    const file = path.join(tempDir(), "c.db")
    const result = await withStore(file, (store) =>
      Effect.gen(function*() {
        const server = yield* store.addServer({ name: "s", address: "127.0.0.1", port: 1, tls: false })
        const a = yield* store.addLocalUser({ server, username: "alice", passwordHash: "x", privateKey: new Uint8Array([1]) })
        const b = yield* store.addLocalUser({ server, username: "bob", passwordHash: "x", privateKey: new Uint8Array([1]) })
        yield* store.setConversationOpen(a.localId, "carol", true)
        yield* store.setConversationOpen(a.localId, "bob", true)
        yield* store.setConversationOpen(b.localId, "alice", true)
        const initial = yield* store.openConversations(a.localId)
        yield* store.setConversationOpen(a.localId, "carol", false)
        const closed = yield* store.openConversations(a.localId)
        yield* store.setConversationOpen(a.localId, "bob", true) // already open: stays where it is
        yield* store.setConversationOpen(a.localId, "carol", true) // reopened: last
        const reopened = yield* store.openConversations(a.localId)
        return { initial, closed, reopened, other: yield* store.openConversations(b.localId), a: a.localId }
      }))
    expect(result.initial).toEqual(["carol", "bob"])
    expect(result.closed).toEqual(["bob"])
    expect(result.reopened).toEqual(["bob", "carol"])
    expect(result.other).toEqual(["alice"])
    // Persisted: a new store on the same file sees the same list.
    expect(await withStore(file, (store) => store.openConversations(result.a))).toEqual(["bob", "carol"])
  })

  it("migration 0002 opens the conversations of a database that has messages", async () => {
    const file = path.join(tempDir(), "old.db")
    // A database as the first release left it: only migration 0001, one account with messages.
    await Effect.runPromise(
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql`INSERT INTO servers (name, address, port) VALUES ('s', '127.0.0.1', 1)`
        yield* sql`INSERT INTO local_users (server_id, server_label, username, password_hash, private_key, created_at)
          VALUES (1, 's', 'alice', 'x', x'01', 0)`
        for (const [peer, at] of [["zed", 10], ["bob", 20], ["zed", 30]] as const) {
          yield* sql`INSERT INTO messages (local_id, peer, direction, stamp, text, stored_at) VALUES (1, ${peer}, 'in', ${at}, 'hi', ${at})`
        }
      }).pipe(
        Effect.provide(
          SqliteMigrator.layer({ loader: SqliteMigrator.fromRecord({ "0001_initial": migrations["0001_initial"] }) }).pipe(
            Layer.provide(NodeContext.layer),
            Layer.provideMerge(SqliteClient.layer({ filename: file }))
          )
        ),
        Effect.scoped
      ) as Effect.Effect<void>
    )
    expect(await withStore(file, (store) => store.openConversations(1))).toEqual(["zed", "bob"])
  })
})

describe("conversations, key changes and login against the real server", () => {
  let server: RunningServer
  let alice: TestClient
  let bob: TestClient

  beforeAll(async () => {
    server = await startServer({ db: `sqlite:${path.join(tempDir("gochat-conv-"), "server.db")}` })
    ;[alice, bob] = await Promise.all([makeTestClient(), makeTestClient()])
    for (const [c, name] of [[alice, "alice"], [bob, "bob"]] as const) {
      await c.run(commands.regserver({ name: "local", address: "127.0.0.1", port: server.port }))
      await c.run(commands.conn({ server: "local" }))
      await c.run(commands.reg({ username: name, password: `pw-${name}`, privateKey: goldenKey(name) }))
    }
  })
  afterAll(async () => {
    await alice?.dispose()
    await bob?.dispose()
    await server?.close()
  })

  it("login always yields the permission level", async () => {
    const a = await alice.run(commands.login({ username: "alice", password: "pw-alice" }))
    expect(a.permission).toBe(0)
    const b = await bob.run(commands.login({ username: "bob", password: "pw-bob" }))
    expect(b.permission).toBe(0)
  })

  it("a message from a peer reopens a closed conversation", async () => {
    const bobLocalId = await bob.run(Effect.flatMap(commands.fingerprintOf({}), () =>
      Effect.flatMap(Store, (s) => s.listLocalUsers()).pipe(Effect.map((us) => us.find((u) => u.username === "bob")!.localId))))
    const openOf = () => bob.run(Effect.flatMap(Store, (s) => s.openConversations(bobLocalId)))
    await bob.run(Effect.flatMap(Store, (s) => s.setConversationOpen(bobLocalId, "alice", false)))
    expect(await openOf()).toEqual([])
    await alice.run(commands.msg({ to: "bob", text: "knock knock" }))
    await bob.waitFor(isMessage("alice", "knock knock"))
    expect(await openOf()).toEqual(["alice"])
    // history reads the store only: the message is there.
    const history = await bob.run(commands.history({ username: "alice" }))
    expect(history.map((m) => [m.direction, m.text])).toEqual([["in", "knock knock"]])
  })

  it("emits KeyChanged when a REQ reply carries a key other than the pinned one", async () => {
    await alice.run(commands.req({ username: "bob" }))
    const aliceKeyPem = goldenPem("alice")
    await forgePinnedKey(alice, "bob", aliceKeyPem)
    const r = await alice.run(commands.req({ username: "bob" }))
    expect(r.status).toBe("changed")
    const event = await alice.waitFor(isKeyChanged)
    expect(event).toMatchObject({
      username: "bob",
      pinned: "old-fingerprint",
      offered: fingerprint(publicKeyOf(goldenKey("bob"))),
      server: { name: "local" }
    })
  })
})
