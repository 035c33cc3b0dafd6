/** Shared test fixtures: golden keys, temporary data dirs, one client runtime per data dir. */
import { SqlClient } from "@effect/sql"
import { parsePrivateKey, type RsaPrivateKey } from "@gochat/crypto"
import { Cause, Duration, Effect, Either, Exit, type Layer, ManagedRuntime, Option, Queue, Scope } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Client, type ClientEvent } from "../../src/core/Client.js"
import { loadConfig, type ResolvedConfig } from "../../src/core/Config.js"
import { clientLayer, type ClientServices, commands } from "../../src/core/index.js"
import { startServer } from "../../../server/src/index.js"
import { type FakeConnection, type FakeServer, type Script, serve } from "./fakeServer.js"
import { tempDir as sharedTempDir } from "../../../../test-support/tempDir.js"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
export const goldenKeysDir = path.join(repoRoot, "test-support/golden/keys")

export const goldenPem = (name: "alice" | "bob") => fs.readFileSync(path.join(goldenKeysDir, `${name}.priv`), "utf8")
export const goldenKey = (name: "alice" | "bob"): RsaPrivateKey => Either.getOrThrow(parsePrivateKey(goldenPem(name)))

/** A temporary directory removed after the test file (test-support/tempDir.ts). */
export const tempDir = (prefix = "gochat-client-test-"): string => sharedTempDir(prefix)

/** A data dir with a default config.json; returns the resolved configuration. */
export const freshConfig = (dir = tempDir()): Promise<ResolvedConfig> =>
  Effect.runPromise(loadConfig(path.join(dir, "config.json")))

export interface TestClient {
  readonly config: ResolvedConfig
  readonly run: <A, E>(effect: Effect.Effect<A, E, ClientServices>) => Promise<A>
  /** Run and return the failure (the test fails if the effect succeeds). */
  readonly fail: <A, E>(effect: Effect.Effect<A, E, ClientServices>) => Promise<E>
  /** Next event matching `pred` (events are recorded from creation on); rejects after `ms`. */
  readonly waitFor: <T extends ClientEvent>(pred: (e: ClientEvent) => e is T, ms?: number) => Promise<T>
  readonly waitForEvent: (pred: (e: ClientEvent) => boolean, ms?: number) => Promise<ClientEvent>
  readonly dispose: () => Promise<void>
}

export const makeTestClient = async (config?: ResolvedConfig): Promise<TestClient> => {
  const cfg = config ?? (await freshConfig())
  const runtime = ManagedRuntime.make(clientLayer(cfg) as Layer.Layer<ClientServices>)
  const scope = await runtime.runPromise(Scope.make())
  const events = await runtime.runPromise(Effect.flatMap(Client, (c) => c.subscribe).pipe(Scope.extend(scope)))
  const run = <A, E>(effect: Effect.Effect<A, E, ClientServices>) => runtime.runPromise(effect)
  const fail = async <A, E>(effect: Effect.Effect<A, E, ClientServices>) => {
    const exit = await runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
    const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
    if (failure === undefined) throw new Error(`expected a typed failure, got ${String(exit.cause)}`)
    return failure as E
  }
  const waitForEvent = (pred: (e: ClientEvent) => boolean, ms = 10_000) =>
    runtime.runPromise(
      Queue.take(events).pipe(
        Effect.repeat({ until: pred }),
        Effect.timeoutFail({ duration: Duration.millis(ms), onTimeout: () => new Error(`no matching event within ${ms} ms`) })
      )
    )
  return {
    config: cfg,
    run,
    fail,
    waitFor: (pred, ms) => waitForEvent(pred, ms) as Promise<any>,
    waitForEvent,
    dispose: async () => {
      await runtime.runPromise(Scope.close(scope, Exit.void))
      await runtime.dispose()
    }
  }
}

/** A fresh client home whose `import/` holds alice's golden private key (for the shells' IMPORT). */
export const homeWithAlicesKey = (): string => {
  const dir = tempDir()
  fs.mkdirSync(path.join(dir, "import"), { recursive: true })
  fs.writeFileSync(path.join(dir, "import", "alice.priv"), goldenPem("alice"))
  return dir
}

/**
 * What the shell tests start from: a real server on which alice is registered with the golden key (the
 * shells under test IMPORT it) and bob is registered and logged in through the core.
 */
export const startShellFixture = async (prefix: string, motd?: string) => {
  const server = await startServer({ db: `sqlite:${path.join(tempDir(prefix), "server.db")}`, ...(motd === undefined ? {} : { motd }) })
  const registrar = await makeTestClient()
  await registrar.run(commands.conn({ address: "127.0.0.1", port: server.port }))
  await registrar.run(commands.reg({ username: "alice", password: "x", privateKey: goldenKey("alice") }))
  await registrar.dispose()
  const bob = await makeTestClient()
  await bob.run(commands.conn({ address: "127.0.0.1", port: server.port }))
  await bob.run(commands.reg({ username: "bob", password: "pw-bob", privateKey: goldenKey("bob") }))
  await bob.run(commands.login({ username: "bob", password: "pw-bob" }))
  return { server, bob }
}

/**
 * Makes `client`'s pinned key for `username` differ from what the server holds (as if the server had
 * swapped keys): the pin becomes `pem`, its fingerprint "old-fingerprint".
 */
export const forgePinnedKey = (client: TestClient, username: string, pem: string) =>
  client.run(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`UPDATE contacts SET public_key = ${pem}, fingerprint = 'old-fingerprint' WHERE username = ${username}`
  }) as Effect.Effect<void, unknown, never>)

/** A self-signed certificate for 127.0.0.1 / localhost (files in a fresh temporary folder). */
export const makeCertificate = () => {
  const dir = tempDir("gochat-client-cert-")
  const certFile = path.join(dir, "cert.pem")
  const keyFile = path.join(dir, "key.pem")
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1",
    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"
  ], { stdio: "ignore" })
  return { certFile, keyFile }
}

/**
 * `client` as alice on the fake `server` (server "fake"): connected, registered there with the golden
 * key, logged in (catch-up and hooks included); the connection is answered by `serve(peer, script)`.
 */
export const aliceOnFakeServer = async (server: FakeServer, client: TestClient, script: Omit<Script, "account"> = {}): Promise<FakeConnection> => {
  await client.run(commands.regserver({ name: "fake", address: "127.0.0.1", port: server.port }))
  const accepted = server.accept()
  const connecting = client.run(commands.conn({ server: "fake", keepAlive: false }))
  const peer = await accepted
  peer.hello()
  await connecting
  serve(peer, { ...script, account: { username: "alice", key: goldenKey("alice") } })
  await client.run(commands.reg({ username: "alice", password: "correct horse", privateKey: goldenKey("alice") }))
  await client.run(commands.login({ username: "alice", password: "correct horse" }))
  return peer
}
