/**
 * Contacts' keys from a hostile server: the client pins, trusts and uses only keys the server itself would
 * accept at REG (RSA, exponent 65537, 4096 bits unless `security.contact_key_bits` says otherwise). The fake
 * server offers a 768-bit key and a 4096-bit key with exponent 3.
 */
import { publicKeyToPem } from "@gochat/crypto"
import { Action } from "@gochat/protocol"
import { Effect, Exit, Scope } from "effect"
import { generateKeyPair } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { Client } from "../../src/core/Client.js"
import { commands, loadConfig } from "../../src/core/index.js"
import { makeCoreBackend } from "../../src/tui/coreBackend.js"
import { type FakeServer, recivPacket, serve, startFakeServer } from "../support/fakeServer.js"
import { aliceOnFakeServer, goldenKey, homeWithAlicesKey, makeTestClient, type TestClient, tempDir } from "../support/fixtures.js"
import { runScripted } from "../support/shell.js"

const rsa = async (bits: number, exponent = 65537) =>
  publicKeyToPem((await promisify(generateKeyPair)("rsa", { modulusLength: bits, publicExponent: exponent })).publicKey)

let weak: string
let hugeCost: string
let small: string
const bob = publicKeyToPem(goldenKey("bob"))

beforeAll(async () => {
  ;[weak, hugeCost, small] = await Promise.all([rsa(768), rsa(4096, 3), rsa(2048)])
})

describe("contacts' keys from a hostile server", () => {
  let server: FakeServer | undefined
  let client: TestClient | undefined
  afterEach(async () => {
    await client?.dispose()
    await server?.close()
  })

  const start = async (users: Record<string, { publicKey: string }>, config?: object) => {
    server = await startFakeServer()
    const dir = tempDir()
    if (config !== undefined) fs.writeFileSync(path.join(dir, "config.json"), JSON.stringify(config))
    client = await makeTestClient(await Effect.runPromise(loadConfig(path.join(dir, "config.json"))))
    const peer = await aliceOnFakeServer(server, client, { users })
    const contact = (name: string) =>
      client!.run(Effect.gen(function*() {
        const c = yield* Client
        const s = yield* c.store.requireServer("fake")
        return yield* c.store.getContact(s.serverId, name)
      }))
    return { client, peer, contact }
  }

  it.each([
    ["a 768-bit key", () => weak, /RSA key is 768 bits, expected 4096/],
    ["a key with exponent 3", () => hugeCost, /RSA public exponent is 3, expected 65537/]
  ])("REQ refuses %s: nothing pinned, one clear message", async (_name, key, why) => {
    const { client, contact } = await start({ mallory: { publicKey: key() } })
    const error = await client.fail(commands.req({ username: "mallory" }))
    expect(error.message).toMatch(why)
    expect(error.message).toMatch(/^the key the server offers for mallory is refused \(.*\): it was not pinned/)
    expect(await contact("mallory")).toBeUndefined()
  })

  it("MSG to such a user sends nothing", async () => {
    const { client, peer } = await start({ mallory: { publicKey: weak } })
    const error = await client.fail(commands.msg({ to: "mallory", text: "hello" }))
    expect(error.message).toMatch(/RSA key is 768 bits/)
    expect(peer.received.some((p) => p.action === Action.MSG)).toBe(false)
  })

  it("a message from an unknown sender with a weak key is shown, its key not pinned", async () => {
    const { client, peer, contact } = await start({ mallory: { publicKey: weak } })
    const refused = client.waitForEvent((e) => e._tag === "Notice" && e.text.includes("mallory"))
    peer.send(recivPacket("mallory", { to: goldenKey("alice"), text: "hi from mallory" }))
    const notice = await refused
    expect(notice._tag === "Notice" && notice.text).toMatch(/the key the server offers for mallory is refused \(RSA key is 768 bits, expected 4096.*\): it was not pinned/)
    expect(await contact("mallory")).toBeUndefined()
  })

  it("a pinned contact's key swapped for a weak one is not kept for TRUST", async () => {
    const users = { bob: { publicKey: bob } }
    const { client, contact } = await start(users)
    expect((await client.run(commands.req({ username: "bob" }))).status).toBe("pinned")
    users.bob = { publicKey: weak }
    const error = await client.fail(commands.req({ username: "bob" }))
    expect(error.message).toMatch(/RSA key is 768 bits/)
    expect((await contact("bob"))?.pendingKey).toBeUndefined()
    expect((await client.fail(commands.trust({ username: "bob" }))).message).toMatch(/no changed key is waiting for bob/)
  })

  it("security.contact_key_bits widens the sizes (never the exponent)", async () => {
    const { client } = await start({ carol: { publicKey: small }, eve: { publicKey: hugeCost } }, { security: { contact_key_bits: [2048, 4096] } })
    expect((await client.run(commands.req({ username: "carol" }))).status).toBe("pinned")
    expect((await client.fail(commands.req({ username: "eve" }))).message).toMatch(/exponent is 3/)
  })
})

describe("both front ends show the refusal", () => {
  let server: FakeServer
  beforeAll(async () => {
    server = await startFakeServer()
  })
  afterAll(async () => {
    await server?.close()
  })
  const served = async () => {
    const peer = await server.accept()
    peer.hello()
    serve(peer, { account: { username: "alice", key: goldenKey("alice") }, users: { mallory: { publicKey: weak } } })
    return peer
  }

  it("the shell prints one error line for REQ", async () => {
    const peer = served()
    const out = await runScripted(homeWithAlicesKey(), [
      `REGSERVER fake 127.0.0.1 ${server.port}`,
      "IMPORT alice alice.priv --server fake",
      "correct horse battery",
      "correct horse battery",
      "CONN fake",
      "LOGIN alice",
      "correct horse battery",
      "REQ mallory"
    ])
    await peer
    expect(out).toMatch(/\[ERROR\] REQ: the key the server offers for mallory is refused \(RSA key is 768 bits, expected 4096.*\): it was not pinned/)
    expect(out).not.toMatch(/external user mallory added/)
  })

  it("the TUI backend refuses to open the conversation", async () => {
    const dir = homeWithAlicesKey()
    const scope = Effect.runSync(Scope.make())
    try {
      const backend = await Effect.runPromise(
        loadConfig(path.join(dir, "config.json")).pipe(Effect.orDie, Effect.flatMap(makeCoreBackend), Scope.extend(scope))
      )
      await Effect.runPromise(backend.addServer({ name: "fake", address: "127.0.0.1", port: server.port, tls: false }))
      await Effect.runPromise(backend.importKey("fake", "alice", "alice.priv", "correct horse battery"))
      const peer = served()
      await Effect.runPromise(backend.connect("fake", { noVerify: false, noIdle: false }))
      await peer
      await Effect.runPromise(backend.login("fake", "alice", "correct horse battery"))
      const error = await Effect.runPromise(Effect.flip(backend.openConversation("fake", "mallory")))
      expect(error.message).toMatch(/the key the server offers for mallory is refused \(RSA key is 768 bits/)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})
