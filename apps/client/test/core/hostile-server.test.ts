/**
 * The client against a hostile server: a fake server on a real socket (TCP and TLS) speaking v1 with
 * frames built by libs/protocol, which tries to make the client decrypt things for it.
 */
import { encryptNoCrlf, publicKeyOf, randomChallenge } from "@gochat/crypto"
import { Action, actionName, ErrorCode, type Packet } from "@gochat/protocol"
import { Effect, Either, Exit, Scope } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Client } from "../../src/core/Client.js"
import { commands, loadConfig } from "../../src/core/index.js"
import { makeCoreBackend } from "../../src/tui/coreBackend.js"
import { type FakeConnection, type FakeServer, startFakeServer } from "../support/fakeServer.js"
import { goldenKey, homeWithAlicesKey, makeCertificate, makeTestClient, type TestClient } from "../support/fixtures.js"
import { runScripted } from "../support/shell.js"

const alice = goldenKey("alice")
const encoder = new TextEncoder()

/** Answers LOGIN with a VERIF carrying `challenge`, REQ with ERR_NOTFOUND and everything else with OK. */
const serveLogin = (peer: FakeConnection, challenge: Uint8Array) => {
  const loop = async () => {
    for (;;) {
      const p: Packet = await peer.next()
      if (p.action === Action.LOGIN) peer.send({ action: Action.VERIF, id: p.id, args: [challenge] })
      else if (p.action === Action.REQ) peer.send({ action: Action.ERR, id: p.id, info: ErrorCode.NOTFOUND })
      else peer.send({ action: Action.OK, id: p.id })
    }
  }
  void loop()
}

const sentActions = (peer: FakeConnection) => peer.received.map((p) => actionName(p.action))

/** A real message's ciphertext to alice's key, as a sender's client makes it. */
const capturedMessage = () => Either.getOrThrow(encryptNoCrlf(publicKeyOf(alice), encoder.encode("the safe's code is 4711")))
const encryptToAlice = (text: Uint8Array) => Either.getOrThrow(encryptNoCrlf(publicKeyOf(alice), text))

const hostileChallenges: ReadonlyArray<[string, () => Uint8Array]> = [
  ["a real message's ciphertext", capturedMessage],
  ["a 128-byte plaintext outside the alphabet", () => encryptToAlice(Uint8Array.from({ length: 128 }, (_, i) => (i * 7) % 256))],
  ["a 128-byte plaintext with one digit", () => encryptToAlice(encoder.encode(randomChallenge(127) + "7"))],
  ["a short alphabet-only plaintext", () => encryptToAlice(encoder.encode(randomChallenge(16)))]
]

describe.each([{ transport: "tcp" }, { transport: "tls" }])("LOGIN against a hostile server ($transport)", ({ transport }) => {
  let server: FakeServer
  let client: TestClient
  let ca: string | undefined

  beforeAll(async () => {
    const cert = transport === "tls" ? makeCertificate() : undefined
    ca = cert === undefined ? undefined : fs.readFileSync(cert.certFile, "utf8")
    server = await startFakeServer(cert === undefined ? {} : { tls: { cert: ca!, key: fs.readFileSync(cert.keyFile, "utf8") } })
    client = await makeTestClient()
    await client.run(commands.regserver({ name: "evil", address: "127.0.0.1", port: server.port, tls: transport === "tls" }))
    // alice's local account for this server (the fake server accepts the REG)
    const peer = await connect(randomChallenge())
    await client.run(commands.reg({ username: "alice", password: "correct horse", privateKey: alice }))
    await client.run(commands.discn())
    await peer.closed
  })
  afterAll(async () => {
    await client?.dispose()
    await server?.close()
  })

  const connect = async (challenge: Uint8Array | string) => {
    const accepted = server.accept()
    const connecting = client.run(commands.conn({ server: "evil", ...(ca === undefined ? {} : { ca }), keepAlive: false }))
    const peer = await accepted
    peer.hello("totally legit")
    await connecting
    serveLogin(peer, typeof challenge === "string" ? encryptToAlice(encoder.encode(challenge)) : challenge)
    return peer
  }

  const token = () =>
    client.run(Effect.gen(function*() {
      const c = yield* Client
      const s = yield* c.store.requireServer("evil")
      return yield* c.getToken(s.serverId, "alice")
    }))

  it.each(hostileChallenges)("never answers %s, abandons the login and closes the connection", async (_name, make) => {
    const peer = await connect(make())
    const error = await client.fail(commands.login({ username: "alice", password: "correct horse" }))
    expect(error._tag).toBe("UntrustworthyServer")
    expect(error.message).toMatch(/evil cannot be trusted/)
    expect(error.message).toMatch(/nothing was answered/)
    await peer.closed
    expect(sentActions(peer)).toEqual(["LOGIN"])
    const st = await client.run(Effect.flatMap(Client, (c) => c.currentSession))
    expect(st).toBeUndefined()
    expect(await token()).toBeUndefined()
  })

  it("answers a real challenge (the control: the same server script logs in)", async () => {
    const challenge = randomChallenge()
    const peer = await connect(challenge)
    const result = await client.run(commands.login({ username: "alice", password: "correct horse", catchUp: false, subscribe: false }))
    expect(result.username).toBe("alice")
    const verif = peer.received.find((p) => p.action === Action.VERIF)
    expect(verif && new TextDecoder().decode(verif.args[1])).toBe(challenge)
    expect(await token()).toBe(transport === "tls" ? challenge : undefined)
    await client.run(commands.discn())
    await peer.closed
  })
})

describe("both front ends refuse a hostile challenge (through the core)", () => {
  let server: FakeServer
  beforeAll(async () => {
    server = await startFakeServer()
  })
  afterAll(async () => {
    await server?.close()
  })

  /** Greets the next connection and serves `capturedMessage()` as alice's challenge. */
  const hostileNext = async () => {
    const peer = await server.accept()
    peer.hello("totally legit")
    serveLogin(peer, capturedMessage())
    return peer
  }

  it("the shell prints one error naming the server and stays logged out", async () => {
    const peer = hostileNext()
    const out = await runScripted(homeWithAlicesKey(), [
      `REGSERVER evil 127.0.0.1 ${server.port}`,
      "IMPORT alice alice.priv --server evil",
      "correct horse battery",
      "correct horse battery",
      "CONN evil",
      "LOGIN alice",
      "correct horse battery"
    ])
    const p = await peer
    await p.closed
    expect(sentActions(p)).toEqual(["LOGIN"])
    expect(out).toMatch(/\[ERROR\] LOGIN: evil cannot be trusted: .*nothing was answered/)
    expect(out).not.toContain("logged in as alice")
  })

  it("the TUI backend fails the login with the same explanation", async () => {
    const dir = homeWithAlicesKey()
    const scope = Effect.runSync(Scope.make())
    try {
      const backend = await Effect.runPromise(
        loadConfig(path.join(dir, "config.json")).pipe(Effect.orDie, Effect.flatMap(makeCoreBackend), Scope.extend(scope))
      )
      await Effect.runPromise(backend.addServer({ name: "evil", address: "127.0.0.1", port: server.port, tls: false }))
      await Effect.runPromise(backend.importKey("evil", "alice", "alice.priv", "correct horse battery"))
      const peer = hostileNext()
      await Effect.runPromise(backend.connect("evil", { noVerify: false, noIdle: false }))
      const error = await Effect.runPromise(Effect.flip(backend.login("evil", "alice", "correct horse battery")))
      const p = await peer
      await p.closed
      expect(sentActions(p)).toEqual(["LOGIN"])
      expect(error.message).toMatch(/evil cannot be trusted: .*nothing was answered/)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    }
  })
})
