/**
 * The offline message store itself (MessagesRepo, and OfflineMessages' catch-up), against SQLite and MariaDB:
 * - pages come oldest first with each sender's name (resolved without a JOIN), and `afterId` continues a page;
 * - a DELETE removes exactly the given rows of the given recipient;
 * - a catch-up whose connection fails midway deletes exactly the rows of the chunks the OS took, keeps the
 *   rest, and reports CatchUpStopped (the sink here stands in for a connection whose third write fails);
 * - on MariaDB, statements whose text varies with a list's length (multi-row INSERT, IN lists) leave no
 *   prepared statement behind: one per batch size would exhaust max_prepared_stmt_count on a long-running
 *   server;
 * - upgrading a MariaDB database that holds messages to the table clustered by recipient (migration 0002)
 *   keeps every message.
 */
import { Migrator, SqlClient } from "@effect/sql"
import { MysqlClient } from "@effect/sql-mysql2"
import { Effect, Either, Layer, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import { freshDatabase, mariadbInfo } from "../../../test-support/index.js"
import { type CatchUpSink, OfflineMessages } from "../src/hubs/OfflineMessages.js"
import { databaseLayer, migrate } from "../src/storage/Database.js"
import { MessagesRepo, type NewMessage } from "../src/storage/MessagesRepo.js"
import { mysqlMigrations } from "../src/storage/migrations/mysql.js"
import { tempDir } from "./support/fixtures.js"
import { resolveConfig, ServerConfig, type ServerSettings } from "../src/config/ServerConfig.js"
import path from "node:path"

/** One connection only, so that session counters see every statement the repository ran. */
const mariadbLayer = (): Layer.Layer<SqlClient.SqlClient> => {
  const i = mariadbInfo()
  return MysqlClient.layer({
    host: i.host,
    port: i.port,
    database: freshDatabase("repo"),
    username: i.user,
    password: Redacted.make(i.password),
    maxConnections: 1,
    poolConfig: { maxIdle: 1 }
  }).pipe(Layer.orDie)
}
const sqliteLayer = (): Layer.Layer<SqlClient.SqlClient> =>
  databaseLayer({ kind: "sqlite", filename: path.join(tempDir(), "gochat.db") }).pipe(Layer.orDie)

const backends = [
  { name: "sqlite", layer: sqliteLayer },
  { name: "mariadb", layer: mariadbLayer }
] as const

const defaults: ServerSettings = Either.getOrThrow(resolveConfig({ overrides: {} }))

const run = <A, E>(
  layer: () => Layer.Layer<SqlClient.SqlClient>,
  effect: Effect.Effect<A, E, OfflineMessages | MessagesRepo | SqlClient.SqlClient>,
  settings: ServerSettings = defaults
) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        Layer.mergeAll(OfflineMessages.Default, MessagesRepo.Default).pipe(
          // migrated first: OfflineMessages reads the mailbox sizes when it starts
          Layer.provideMerge(Layer.effectDiscard(migrate)),
          Layer.provideMerge(layer()),
          Layer.provideMerge(Layer.succeed(ServerConfig, settings))
        )
      ),
      Effect.scoped
    )
  )

const usersSql = (names: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(names, (username) =>
      Effect.flatMap(
        sql`INSERT INTO users ${sql.insert({ username, permission: 0, created_at: 0 })}`,
        () => Effect.map(sql<{ id: number | string }>`SELECT id FROM users WHERE username = ${username}`, ([r]) => Number(r.id))
      )))

const message = (src: number, dst: number, n: number): NewMessage => ({
  src,
  dst,
  stamp: 1_700_000_000 + n,
  ciphertext: Buffer.from(`message ${n}`)
})

describe.each(backends)("MessagesRepo on $name", ({ layer }) => {
  it("pages oldest first with sender names, continue after a row, and delete exactly the given rows", async () => {
    const result = await run(layer, Effect.gen(function*() {
      const repo = yield* MessagesRepo
      const [alice, bob, carol] = yield* usersSql(["alice", "bob", "carol"])
      yield* repo.insertBatch([message(alice, carol, 1), message(bob, carol, 2), message(alice, bob, 3)])
      yield* repo.insertBatch([message(bob, carol, 4), message(alice, carol, 5)])
      const first = yield* repo.page(carol, 0, 2)
      const rest = yield* repo.page(carol, first[1].id, 10)
      yield* repo.deleteIds(carol, [first[0].id, rest[0].id])
      // a row of another recipient is not deleted through carol's
      const bobs = yield* repo.page(bob, 0, 10)
      yield* repo.deleteIds(carol, [bobs[0].id])
      return {
        pages: [first, rest].map((p) => p.map((m) => `${m.sender}@${m.stamp}:${Buffer.from(m.ciphertext).toString()}`)),
        left: (yield* repo.page(carol, 0, 10)).map((m) => m.stamp),
        bobLeft: yield* repo.countFor(bob)
      }
    }))
    expect(result.pages).toEqual([
      [`alice@1700000001:message 1`, `bob@1700000002:message 2`],
      [`bob@1700000004:message 4`, `alice@1700000005:message 5`]
    ])
    expect(result.left).toEqual([1_700_000_002, 1_700_000_005])
    expect(result.bobLeft).toBe(1)
  })
})

describe.each(backends)("catch-up on $name", ({ layer }) => {
  it("a connection failing midway: the chunks the OS took are deleted, the rest stays, CatchUpStopped", async () => {
    const result = await run(layer, Effect.gen(function*() {
      const repo = yield* MessagesRepo
      const offline = yield* OfflineMessages
      const [alice, bob] = yield* usersSql(["alice", "bob"])
      // 2,000-byte ciphertexts: ~125 per 256 KB write chunk, so 600 messages make several chunks and pages
      const big = (n: number): NewMessage => ({ ...message(alice, bob, n), ciphertext: Buffer.alloc(2000, n % 251) })
      const all = Array.from({ length: 600 }, (_, n) => big(n))
      for (let i = 0; i < all.length; i += 200) yield* repo.insertBatch(all.slice(i, i + 200))
      const writes: Array<Array<number>> = []
      const sink: CatchUpSink = {
        write: (chunk, written) => {
          const call = writes.push(chunk.map((m) => m.stamp))
          // like a socket: completions in order, and once one failed every later one fails too
          setImmediate(() => written(call >= 3 ? new Error("EPIPE") : undefined))
        }
      }
      const outcome = yield* Effect.either(offline.drain(bob, sink))
      return { outcome, writes, left: (yield* repo.page(bob, 0, 1000)).map((m) => m.stamp) }
    }))
    expect(result.outcome._tag).toBe("Left")
    if (result.outcome._tag === "Left") expect(result.outcome.left._tag).toBe("CatchUpStopped")
    expect(result.writes.length).toBeGreaterThanOrEqual(3)
    const taken = [...result.writes[0], ...result.writes[1]]
    // written in order, oldest first
    expect(taken).toEqual(Array.from({ length: taken.length }, (_, n) => 1_700_000_000 + n))
    expect(result.left).toEqual(Array.from({ length: 600 - taken.length }, (_, n) => 1_700_000_000 + taken.length + n))
  })
})

describe.each(backends)("mailbox sizes and expiry on $name", ({ layer }) => {
  it("stores, catch-ups and expiry passes of at most EXPIRE_BATCH rows keep each mailbox's count and bytes", async () => {
    const result = await run(layer, Effect.gen(function*() {
      const offline = yield* OfflineMessages
      const sql = yield* SqlClient.SqlClient
      const [alice, bob, carol] = yield* usersSql(["alice", "bob", "carol"])
      // through the pipeline (group commits), 10-byte bodies: 1,800 for bob, 400 for carol, then 7 newer ones
      const old = Array.from({ length: 2200 }, (_, n) => message(alice, n % 11 < 9 ? bob : carol, 1000 + n))
      yield* Effect.all(old.map((m) => offline.store(m)), { concurrency: "unbounded" })
      yield* sql`UPDATE messages SET created_at = 0`
      const fresh = Array.from({ length: 7 }, (_, n) => message(carol, bob, 9000 + n))
      yield* Effect.all(fresh.map((m) => offline.store(m)), { concurrency: "unbounded" })
      const before = { bob: offline.mailboxOf(bob), carol: offline.mailboxOf(carol) }
      const passes = yield* offline.expireNow(60_000)
      const after = { bob: offline.mailboxOf(bob), carol: offline.mailboxOf(carol) }
      const left = (yield* sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM messages`)[0]
      // a catch-up empties bob's mailbox
      const sink: CatchUpSink = { write: (_chunk, written) => setImmediate(() => written()) }
      const delivered = yield* offline.drain(bob, sink)
      return { before, passes, after, left: Number(left.n), delivered, drained: offline.mailboxOf(bob) }
    }))
    const bobOld = Array.from({ length: 2200 }, (_, n) => n).filter((n) => n % 11 < 9).length
    const bodyBytes = (n: number) => `message ${n}`.length
    const oldBytes = (pick: (n: number) => boolean) =>
      Array.from({ length: 2200 }, (_, n) => n).filter(pick).reduce((sum, n) => sum + bodyBytes(1000 + n), 0)
    const freshBytes = Array.from({ length: 7 }, (_, n) => bodyBytes(9000 + n)).reduce((a, b) => a + b, 0)
    expect(result.before).toEqual({
      bob: { count: bobOld + 7, bytes: oldBytes((n) => n % 11 < 9) + freshBytes },
      carol: { count: 2200 - bobOld, bytes: oldBytes((n) => n % 11 >= 9) }
    })
    // 2,200 old rows: passes of 1,000, 1,000 and 200 (the last one also sees the 7 fresh rows and stops)
    expect(result.passes).toBe(3)
    expect(result.after).toEqual({ bob: { count: 7, bytes: freshBytes }, carol: { count: 0, bytes: 0 } })
    expect(result.left).toBe(7)
    expect(result.delivered).toBe(7)
    expect(result.drained).toEqual({ count: 0, bytes: 0 })
  })
})

describe("MessagesRepo on mariadb: prepared statements", () => {
  it("batches and IN lists of every length leave no prepared statement behind", async () => {
    const prepared = await run(mariadbLayer, Effect.gen(function*() {
      const repo = yield* MessagesRepo
      const sql = yield* SqlClient.SqlClient
      const prepares = Effect.map(
        sql<{ Value: string }>`SHOW SESSION STATUS LIKE 'Com_stmt_prepare'`.unprepared,
        ([row]) => Number(row.Value)
      )
      const senders = yield* usersSql(Array.from({ length: 30 }, (_, i) => `sender${i}`))
      const [dst] = yield* usersSql(["reader"])
      const before = yield* prepares
      let delivered = 0
      for (let n = 1; n <= 30; n++) {
        yield* repo.insertBatch(Array.from({ length: n }, (_, i) => message(senders[i], dst, i)))
        const page = yield* repo.page(dst, 0, 100)
        expect(page.map((m) => m.sender)).toEqual(Array.from({ length: n }, (_, i) => `sender${i}`))
        yield* repo.deleteIds(dst, page.map((m) => m.id))
        delivered += page.length
      }
      return { statements: (yield* prepares) - before, delivered, left: yield* repo.countFor(dst) }
    }))
    expect(prepared.delivered).toBe((30 * 31) / 2)
    expect(prepared.left).toBe(0)
    // the fixed statements (page, count) are prepared once; 30 batch sizes must not add 90 more
    expect(prepared.statements).toBeLessThanOrEqual(3)
  })
})

describe("MariaDB schema upgrade", () => {
  it("0002 (messages clustered by recipient) keeps the stored messages", async () => {
    const layer = mariadbLayer()
    const before = Migrator.make({})({
      loader: Migrator.fromRecord({ "0001_init": mysqlMigrations["0001_init"] }),
      table: "gochat_migrations"
    })
    const result = await Effect.runPromise(Effect.gen(function*() {
      yield* before
      const sql = yield* SqlClient.SqlClient
      const [alice, bob, carol] = yield* usersSql(["alice", "bob", "carol"])
      const rows = [message(alice, bob, 1), message(carol, bob, 2), message(bob, carol, 3), message(alice, bob, 4)]
      for (const m of rows) {
        yield* sql`INSERT INTO messages ${
          sql.insert({ src_user: m.src, dst_user: m.dst, stamp: m.stamp, ciphertext: Buffer.from(m.ciphertext), created_at: 0 })
        }`
      }
      const applied = yield* migrate
      const repo = yield* MessagesRepo
      const [key] = yield* sql<{ Column_name: string }>`SHOW KEYS FROM messages WHERE Key_name = 'PRIMARY' AND Seq_in_index = 1`.unprepared
      return {
        applied: applied.map(([, name]) => name),
        primaryFirst: key.Column_name,
        bob: (yield* repo.page(bob, 0, 10)).map((m) => `${m.sender}:${m.stamp}`),
        carol: (yield* repo.page(carol, 0, 10)).map((m) => `${m.sender}:${m.stamp}`)
      }
    }).pipe(Effect.provide(MessagesRepo.Default.pipe(Layer.provideMerge(layer)))))
    expect(result.applied).toEqual(["messages_by_recipient"])
    expect(result.primaryFirst).toBe("dst_user")
    expect(result.bob).toEqual(["alice:1700000001", "carol:1700000002", "alice:1700000004"])
    expect(result.carol).toEqual(["bob:1700000003"])
  })
})
