/**
 * Offline messages: each row has its own id; catch-up reads a page in id order and deletes exactly the
 * rows it delivered, by id (never by timestamp: stamps are chosen by senders).
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export interface NewMessage {
  readonly src: number
  readonly dst: number
  readonly stamp: number
  readonly ciphertext: Uint8Array
}

export interface StoredMessage {
  readonly id: number
  readonly sender: string
  readonly stamp: number
  readonly ciphertext: Uint8Array
}

const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export class MessagesRepo extends Effect.Service<MessagesRepo>()("server/MessagesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /** Inserts a batch in one transaction: either every message is durable or none is. */
    const insertBatch = (messages: ReadonlyArray<NewMessage>) => {
      const now = Date.now()
      return sql`INSERT INTO messages ${
        sql.insert(messages.map((m) => ({
          src_user: m.src,
          dst_user: m.dst,
          stamp: m.stamp,
          ciphertext: blob(m.ciphertext),
          created_at: now
        })))
      }`.pipe(Effect.asVoid, sql.withTransaction)
    }

    /** The oldest `limit` messages for a user after row `afterId`, oldest first. */
    const page = Effect.fn("MessagesRepo.page")(function*(dst: number, afterId: number, limit: number) {
      const rows = yield* sql<{ id: number | string; sender: string; stamp: number | string; ciphertext: Uint8Array }>`
        SELECT m.id AS id, u.username AS sender, m.stamp AS stamp, m.ciphertext AS ciphertext
        FROM messages m JOIN users u ON u.id = m.src_user
        WHERE m.dst_user = ${dst} AND m.id > ${afterId}
        ORDER BY m.id ASC LIMIT ${limit}`
      return rows.map((r): StoredMessage => ({
        id: Number(r.id),
        sender: r.sender,
        stamp: Number(r.stamp),
        ciphertext: new Uint8Array(r.ciphertext)
      }))
    })

    /** Deletes delivered messages by row id. */
    const deleteIds = Effect.fn("MessagesRepo.deleteIds")(function*(ids: ReadonlyArray<number>) {
      if (ids.length === 0) return
      yield* sql`DELETE FROM messages WHERE ${sql.in("id", ids)}`
    })

    /** Drops every pending message addressed to a user (operator CLI `clearcache`); returns how many. */
    const clearFor = Effect.fn("MessagesRepo.clearFor")(function*(dst: number) {
      const [row] = yield* sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM messages WHERE dst_user = ${dst}`
      yield* sql`DELETE FROM messages WHERE dst_user = ${dst}`
      return Number(row?.n ?? 0)
    })

    const countFor = Effect.fn("MessagesRepo.countFor")(function*(dst: number) {
      const [row] = yield* sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM messages WHERE dst_user = ${dst}`
      return Number(row?.n ?? 0)
    })

    return { insertBatch, page, deleteIds, clearFor, countFor } as const
  })
}) {}
