import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted } from "effect"
import { databaseLayer, migrate } from "./src/storage/Database.js"
import { MessagesRepo } from "./src/storage/MessagesRepo.js"
import { recivFrame, ascii } from "./src/server/frames.js"
import { encodeStamp } from "@gochat/protocol"

const kind = process.argv[2] ?? "mysql"
const db: any = kind === "mysql"
  ? { kind: "mysql", host: "127.0.0.1", port: 33999, database: "perf", user: "p", password: Redacted.make("p") }
  : { kind: "sqlite", filename: "/tmp/perf-sqlite/x.db" }
const layer = MessagesRepo.Default.pipe(Layer.provideMerge(Layer.effectDiscard(migrate)), Layer.provideMerge(databaseLayer(db)))
const prog = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const repo = yield* MessagesRepo
  yield* sql`DELETE FROM messages`
  yield* sql`DELETE FROM users`
  yield* sql`INSERT INTO users (username, pubkey, permission, created_at) VALUES ('a', ${Buffer.from("k1")}, 0, 0), ('b', ${Buffer.from("k2")}, 0, 0)`
  const rows = yield* sql<{ id: number; username: string }>`SELECT id, username FROM users`
  const a = rows.find((r) => r.username === "a")!.id, b = rows.find((r) => r.username === "b")!.id
  const ct = Buffer.alloc(512, 7)
  for (let round = 0; round < 5; round++) {
    const batch = Array.from({ length: 64 }, (_, i) => ({ src: a, dst: b, stamp: 1700000000 + i, ciphertext: ct }))
    let t = performance.now()
    for (let i = 0; i < 31; i++) yield* repo.insertBatch(batch)
    const ins = (performance.now() - t) / 31
    t = performance.now()
    const p1 = yield* repo.page(b, 0, 1000)
    const tp1 = performance.now() - t
    t = performance.now()
    const p2 = yield* repo.page(b, p1[p1.length - 1].id, 1000)
    const tp2 = performance.now() - t
    t = performance.now()
    let n = 0
    for (const m of [...p1, ...p2]) n += recivFrame(ascii(m.sender), encodeStamp(m.stamp), m.ciphertext).length
    const enc = performance.now() - t
    t = performance.now()
    const pk = yield* repo.page(b, 0, 1)
    const tpk = performance.now() - t
    t = performance.now()
    yield* repo.deleteIds([...p1, ...p2].map((m) => m.id))
    const del = performance.now() - t
    console.log(`${kind}: insert64 ${ins.toFixed(2)} ms, peek ${tpk.toFixed(2)}, page1 ${tp1.toFixed(2)} ms (${p1.length}), page2 ${tp2.toFixed(2)} (${p2.length}), encode ${enc.toFixed(2)}, delete ${del.toFixed(2)}`)
  }
})
Effect.runPromise(Effect.provide(prog, layer)).then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
