/**
 * End to end: two client cores (alice, bob) against our real server, started in-process on a
 * fresh SQLite database, with a plain and a TLS listener.
 */
import { SqlClient } from "@effect/sql"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { fingerprint, publicKeyOf } from "@gochat/crypto"
import { Action, ErrorCode } from "@gochat/protocol"
import { Effect, SubscriptionRef } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../../server/src/index.js"
import { Client, type ClientEvent } from "../../src/core/Client.js"
import { Connection } from "../../src/core/Connection.js"
import { commands } from "../../src/core/index.js"
import { forgePinnedKey, goldenKey, goldenPem, makeCertificate, makeTestClient, type TestClient, tempDir } from "../support/fixtures.js"

const isMessage = (from: string) => (e: ClientEvent): e is Extract<ClientEvent, { _tag: "MessageReceived" }> =>
  e._tag === "MessageReceived" && e.from === from
const isHook = (hook: string) => (e: ClientEvent): e is Extract<ClientEvent, { _tag: "Hook" }> =>
  e._tag === "Hook" && e.event.hook === hook

describe("client core against the real server", () => {
  let server: RunningServer
  let serverDb: string
  let cert: { certFile: string; keyFile: string }
  let alice: TestClient
  let bob: TestClient

  beforeAll(async () => {
    cert = makeCertificate()
    serverDb = path.join(tempDir("gochat-client-e2e-"), "server.db")
    server = await startServer({ db: `sqlite:${serverDb}`, motd: "Welcome to the test server", tls: cert })
    ;[alice, bob] = await Promise.all([makeTestClient(), makeTestClient()])
    for (const c of [alice, bob]) {
      await c.run(commands.regserver({ name: "local", address: "127.0.0.1", port: server.port }))
      await c.run(commands.regserver({ name: "secure", address: "127.0.0.1", port: server.tlsPort!, tls: true }))
    }
  })
  afterAll(async () => {
    await alice?.dispose()
    await bob?.dispose()
    await server?.close()
  })

  it("connects, registers and logs in; login hooks reach subscribers", async () => {
    const conn = await alice.run(commands.conn({ server: "local" }))
    expect(conn.motd).toBe("Welcome to the test server")
    await bob.run(commands.conn({ server: "local" }))
    const a = await alice.run(commands.reg({ username: "Alice", password: "pw-alice", privateKey: goldenKey("alice") }))
    expect(a.username).toBe("alice")
    expect(a.fingerprint).toBe(fingerprint(publicKeyOf(goldenKey("alice"))))
    await bob.run(commands.reg({ username: "bob", password: "pw-bob", privateKey: goldenKey("bob") }))

    const wrong = await alice.fail(commands.login({ username: "alice", password: "nope" }))
    expect(wrong._tag).toBe("WrongCredentials")
    const la = await alice.run(commands.login({ username: "alice", password: "pw-alice" }))
    expect(la).toMatchObject({ username: "alice", permission: 0, usedToken: false, pendingMessages: false })
    const state = await alice.run(Effect.flatMap(Client, (c) => SubscriptionRef.get(c.state)))
    expect(state).toMatchObject({ connection: "connected", user: "alice", permission: 0 })

    await bob.run(commands.login({ username: "bob", password: "pw-bob" }))
    const hook = await alice.waitFor(isHook("NEWLOGIN"))
    expect(hook.event).toEqual({ hook: "NEWLOGIN", username: "bob", permission: 0 })

    const online = await alice.run(commands.usrs({ scope: "remote", which: "online", perms: true }))
    expect(online.users).toEqual([{ name: "alice", permission: 0 }, { name: "bob", permission: 0 }])
  })

  it("requests and pins keys, then messages online; an unknown sender is stored and pinned", async () => {
    const r = await alice.run(commands.req({ username: "bob" }))
    expect(r).toMatchObject({ username: "bob", status: "pinned", fingerprint: fingerprint(publicKeyOf(goldenKey("bob"))) })
    expect((await alice.run(commands.req({ username: "bob" }))).status).toBe("unchanged")

    // verbose mode: every packet is dumped as an event
    expect((await alice.run(commands.verbose())).verbose).toBe(true)
    await alice.run(commands.perms({ username: "bob" }))
    const sentDump = await alice.waitForEvent((e) => e._tag === "PacketDump" && e.direction === "sent")
    const receivedDump = await alice.waitForEvent((e) => e._tag === "PacketDump" && e.direction === "received")
    expect(sentDump._tag === "PacketDump" && sentDump.text).toContain("REQ")
    expect(receivedDump._tag === "PacketDump" && receivedDump.text).toContain("bob")
    expect((await alice.run(commands.verbose({ on: false }))).verbose).toBe(false)

    const sent = await alice.run(commands.msg({ to: "bob", text: "hello bob ✓" }))
    expect(sent.parts).toBe(1)
    const got = await bob.waitFor(isMessage("alice"))
    expect(got.text).toBe("hello bob ✓")
    expect(got.broadcast).toBe(false)
    // bob never requested alice: her key is pinned automatically
    const pinned = await bob.waitForEvent((e) => e._tag === "Notice" && e.text.includes("pinned the public key of alice"))
    expect(pinned._tag).toBe("Notice")
    const history = await bob.run(commands.history({ username: "alice" }))
    expect(history.map((m) => [m.direction, m.text])).toEqual([["in", "hello bob ✓"]])
    expect((await alice.run(commands.history({ username: "bob" }))).map((m) => m.direction)).toEqual(["out"])
  })

  it("delivers a 2,000-character message whole, in several MSGs", async () => {
    const text = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("")
    const sent = await alice.run(commands.msg({ to: "bob", text }))
    expect(sent.parts).toBe(5)
    const parts: Array<string> = []
    while (parts.join("").length < text.length) parts.push((await bob.waitFor(isMessage("alice"))).text)
    expect(parts).toHaveLength(5)
    expect(parts.join("")).toBe(text)
  })

  it("keeps messages for an offline user and delivers them at login (catch-up)", async () => {
    await bob.run(commands.logout())
    expect((await alice.waitFor(isHook("NEWLOGOUT"))).event).toEqual({ hook: "NEWLOGOUT", username: "bob" })
    await alice.run(commands.msg({ to: "bob", text: "while you were away" }))
    const login = await bob.run(commands.login({ username: "bob", password: "pw-bob" }))
    expect(login.pendingMessages).toBe(true)
    expect((await bob.waitFor(isMessage("alice"))).text).toBe("while you were away")
    expect((await bob.run(commands.reciv())).empty).toBe(true)
  })

  it("refuses to send to a contact whose key changed until TRUST", async () => {
    // Make alice's pin for bob differ from what the server returns (as if the server swapped keys).
    const aliceKeyPem = goldenPem("alice")
    await forgePinnedKey(alice, "bob", aliceKeyPem)
    const r = await alice.run(commands.req({ username: "bob" }))
    expect(r.status).toBe("changed")
    expect(r.pinnedFingerprint).toBe("old-fingerprint")
    const refused = await alice.fail(commands.msg({ to: "bob", text: "secret" }))
    expect(refused._tag).toBe("KeyChanged")
    expect(refused.message).toContain("old-fingerprint")
    expect(refused.message).toContain(r.fingerprint)
    const fp = await alice.run(commands.fingerprintOf({ username: "bob" }))
    expect(fp.pending).toBe(r.fingerprint)
    const trusted = await alice.run(commands.trust({ username: "bob" }))
    expect(trusted.accepted).toBe(r.fingerprint)
    await alice.run(commands.msg({ to: "bob", text: "after trust" }))
    expect((await bob.waitFor(isMessage("alice"))).text).toBe("after trust")
  })

  it("exports a key (0600) and imports it for the TLS server; TLS verification and token login", async () => {
    const exported = await alice.run(commands.exportKey({ username: "alice", password: "pw-alice" }))
    expect(fs.statSync(exported.file).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(exported.file, "utf8")).toBe(goldenPem("alice"))
    const imported = await alice.run(commands.importKey({ username: "alice", file: exported.file, password: "pw-tls", server: "secure" }))
    expect(imported.fingerprint).toBe(fingerprint(publicKeyOf(goldenKey("alice"))))

    // a second client: the default verification rejects the self-signed certificate
    const carol = await makeTestClient()
    try {
      await carol.run(commands.regserver({ name: "secure", address: "127.0.0.1", port: server.tlsPort!, tls: true }))
      const refused = await carol.fail(commands.conn({ server: "secure" }))
      expect(refused._tag).toBe("ConnectFailed")
      expect(refused.message).toContain("--insecure")
      await carol.run(commands.conn({ server: "secure", insecure: true }))
      // alice is logged in elsewhere: a second login is refused and she is told where it came from
      const aliceKeyFile = path.join(carol.config.importDir, "alice.priv")
      fs.writeFileSync(aliceKeyFile, goldenPem("alice"))
      await carol.run(commands.importKey({ username: "alice", file: "alice.priv", password: "pw-carol" }))
      const dup = await carol.fail(commands.login({ username: "alice", password: "pw-carol" }))
      expect(dup._tag === "ServerError" && dup.code).toBe(ErrorCode.DUPSESS)
      expect((await alice.waitFor(isHook("DUPSESS"))).event).toEqual({ hook: "DUPSESS", ip: "127.0.0.1" })
      await carol.run(commands.discn())
    } finally {
      await carol.dispose()
    }

    const ca = fs.readFileSync(cert.certFile, "utf8")
    await alice.run(commands.logout())
    await alice.run(commands.discn())
    await alice.run(commands.conn({ server: "secure", ca }))
    const first = await alice.run(commands.login({ username: "alice", password: "pw-tls" }))
    expect(first.usedToken).toBe(false)
    await alice.run(commands.discn())
    await alice.run(commands.conn({ server: "secure", ca }))
    const second = await alice.run(commands.login({ username: "alice", password: "pw-tls" }))
    expect(second.usedToken).toBe(true)
  })

  it("runs admin operations; a request waiting when the connection drops fails with ConnectionLost", async () => {
    // make alice OWNER in the server's database, then log in again
    await Effect.runPromise(Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* sql`UPDATE users SET permission = 2 WHERE username = 'alice'`
    }).pipe(Effect.provide(SqliteClient.layer({ filename: serverDb })), Effect.orDie))
    await alice.run(commands.logout())
    expect((await alice.run(commands.login({ username: "alice", password: "pw-tls" }))).permission).toBe(2)

    // broadcast needs TLS (alice is on it); bob gets it as a broadcast
    await alice.run(commands.admin({ op: "broadcast", args: ["maintenance", "at", "noon"] }))
    const b = await bob.waitFor(isMessage("alice"))
    expect(b).toMatchObject({ broadcast: true, text: "maintenance at noon" })

    await alice.run(commands.admin({ op: "setperms", args: ["bob", "1"] }))
    expect((await bob.waitFor(isHook("PERMSCHG"))).event).toEqual({ hook: "PERMSCHG", username: "bob", permission: 1 })
    expect((await bob.run(Effect.flatMap(Client, (c) => SubscriptionRef.get(c.state)))).permission).toBe(1)
    expect((await alice.run(commands.perms({ username: "bob" }))).permission).toBe(1)
    const bad = await alice.fail(commands.admin({ op: "setperms", args: ["bob", "7"] }))
    expect(bad._tag).toBe("UsageError")
    const notOwner = await bob.fail(commands.admin({ op: "motd", args: ["mine"] }))
    expect(notOwner._tag === "ServerError" && notOwner.code).toBe(ErrorCode.PERMS)
    const noTls = await bob.fail(commands.admin({ op: "broadcast", args: ["x"] }))
    expect(noTls._tag === "ServerError" && noTls.code).toBe(ErrorCode.NOSECURE)

    await alice.run(commands.admin({ op: "motd", args: ["new", "motd"] }))

    // KEEP gets no reply: a request for it waits until the server kicks bob
    const waiting = bob.fail(Effect.flatMap(Connection, (c) => c.request({ action: Action.KEEP })))
    await alice.run(commands.admin({ op: "kick", args: ["bob"] }))
    const lost = await waiting
    expect(lost._tag).toBe("ConnectionLost")
    const gone = await bob.waitForEvent((e) => e._tag === "Disconnected")
    expect(gone._tag).toBe("Disconnected")
    expect((await bob.run(Effect.flatMap(Client, (c) => SubscriptionRef.get(c.state)))).connection).toBe("disconnected")

    const again = await bob.run(commands.conn({ server: "local" }))
    expect(again.motd).toBe("new motd")
    await alice.run(commands.admin({ op: "ban", args: ["bob"] }))
    const banned = await bob.fail(commands.login({ username: "bob", password: "pw-bob" }))
    expect(banned._tag === "ServerError" && banned.code).toBe(ErrorCode.DEREG)

    await alice.run(commands.admin({ op: "shutdown", args: ["5"] }))
    const shutdown = await alice.waitFor((e): e is Extract<ClientEvent, { _tag: "ShutdownScheduled" }> => e._tag === "ShutdownScheduled")
    expect(shutdown.at.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000)
  })
})
