/**
 * Shared test fixtures: the golden alice/bob keys, a few 2048-bit keys generated once per test file,
 * the two database backends, and a server started per test with short timeouts.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import {
  generateKeyPair,
  parsePrivateKey,
  publicKeyOf,
  publicKeyToPem,
  type RsaPrivateKey
} from "@gochat/crypto"
import { Effect, Either, Option } from "effect"
import { freshDatabase, mariadbUrl } from "../../../../test-support/index.js"
import { tempDir } from "../../../../test-support/tempDir.js"
import { type RunningServer, type ServerSettings, startServer, type StartServerOptions, storageLayer } from "../../src/index.js"
import { UsersRepo } from "../../src/storage/UsersRepo.js"
import { MessagesRepo } from "../../src/storage/MessagesRepo.js"
import { databaseLayer } from "../../src/storage/Database.js"
import { SqlClient } from "@effect/sql"

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..")
export const goldenDir = path.join(repoRoot, "test-support/golden")

export interface Identity {
  readonly key: RsaPrivateKey
  readonly pem: string
}

const identity = (key: RsaPrivateKey): Identity => ({ key, pem: publicKeyToPem(publicKeyOf(key)) })

export const goldenKey = (name: "alice" | "bob"): Identity =>
  identity(Either.getOrThrow(parsePrivateKey(fs.readFileSync(path.join(goldenDir, "keys", `${name}.priv`), "utf8"))))

/** `n` fresh 2048-bit identities (fast to generate; `start` lets the server accept them). */
export const freshIdentities = (n: number): Promise<Array<Identity>> =>
  Effect.runPromise(Effect.all(
    Array.from({ length: n }, () => Effect.map(generateKeyPair(2048), (pair) => identity(pair.privateKey))),
    { concurrency: "unbounded" }
  ))

/** A temporary directory removed after the test file (test-support/tempDir.ts). */
export { tempDir }

export interface Backend {
  readonly name: "sqlite" | "mariadb"
  /** a fresh, empty database URL */
  readonly fresh: () => string
}

export const backends: ReadonlyArray<Backend> = [
  { name: "sqlite", fresh: () => `sqlite:${path.join(tempDir(), "gochat.db")}` },
  { name: "mariadb", fresh: () => mariadbUrl(freshDatabase("srv")) }
]

/** Short timeouts so deadline tests run in milliseconds. */
export const testTimeouts = {
  idleMs: 60_000,
  loginMs: 10_000,
  handshakeMs: 5_000,
  headerMs: 10_000,
  writeMs: 5_000,
  tokenMs: 60_000,
  shutdownFlushMs: 2_000
}

/** The test keys are 2048 bits (fast to make): the servers of these tests accept them besides 4096. */
export const TEST_KEY_BITS = [2048, 4096]

/**
 * The abuse limits these tests' servers lift (as the bench's BENCH_LIMITS): every test connects from
 * 127.0.0.1, registers many users from there and pipelines many MSGs. The tests of security.test.ts set
 * the limit they attack (or start with the defaults).
 */
export const TEST_LIMITS = {
  msgBurst: 100_000_000,
  msgPerSecond: 100_000_000,
  offlineBurst: 100_000_000,
  offlinePerSecond: 100_000_000,
  mailboxMaxMessages: 1_000_000_000,
  mailboxMaxBytes: 1_000_000_000_000,
  regBurst: 1_000_000,
  regPerMinute: 1_000_000,
  authFailureBurst: 1_000_000,
  authFailuresPerMinute: 1_000_000
}

export const start = (db: string, options: StartServerOptions = {}): Promise<RunningServer> =>
  startServer({
    db,
    keyBits: TEST_KEY_BITS,
    ...options,
    timeouts: { ...testTimeouts, ...options.timeouts },
    limits: { ...TEST_LIMITS, ...options.limits }
  })

/** A self-signed certificate made once per run with the openssl CLI. */
let certCache: { certFile: string; keyFile: string } | undefined
export const testCertificate = (): { certFile: string; keyFile: string } => {
  if (certCache) return certCache
  const dir = tempDir("gochat-cert-")
  const certFile = path.join(dir, "cert.pem")
  const keyFile = path.join(dir, "key.pem")
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile,
    "-days", "1", "-subj", "/CN=localhost"
  ], { stdio: "ignore" })
  certCache = { certFile, keyFile }
  return certCache
}

/** Sets a user's level directly in the database (what the operator CLI does). */
export const setLevel = (settings: ServerSettings, name: string, level: number): Promise<boolean> =>
  Effect.runPromise(
    Effect.flatMap(UsersRepo, (users) => users.setPermission(name, level)).pipe(
      Effect.provide(storageLayer(settings))
    )
  )

/** How many messages are stored for a user (what the operator sees in the database). */
export const storedCount = (settings: ServerSettings, name: string): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const user = yield* Effect.flatMap(UsersRepo, (users) => users.findByName(name))
      return Option.isNone(user) ? 0 : yield* Effect.flatMap(MessagesRepo, (m) => m.countFor(user.value.id))
    }).pipe(Effect.provide(storageLayer(settings)))
  )

/** Runs one raw SQL statement on a server's database (to break it on purpose in a test). */
export const execSql = (settings: ServerSettings, statement: string): Promise<void> =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => Effect.asVoid(sql.unsafe(statement))).pipe(
      Effect.provide(databaseLayer(settings.database))
    )
  )
