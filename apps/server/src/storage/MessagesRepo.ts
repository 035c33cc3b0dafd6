/**
 * Offline messages: each row has its own id; catch-up reads a page in id order and deletes exactly the
 * rows it delivered, by id (never by timestamp: stamps are chosen by senders).
 */
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
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

/** Most ids in one DELETE statement. */
const DELETE_CHUNK = 1000

const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export class MessagesRepo extends Effect.Service<MessagesRepo>()("server/MessagesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    /**
     * Inserts a batch as one multi-row INSERT: a single statement is atomic and, in autocommit, committed
     * (durably: SQLite synchronous=FULL, InnoDB flush at commit) before it returns: either every message
     * is durable or none is. (No explicit BEGIN/COMMIT: on MariaDB that would cost two more round trips.)
     */
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
      }`.pipe(Effect.asVoid)
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
        // both drivers return a Buffer of its own (or a view of a packet buffer nobody reuses): no copy
        ciphertext: r.ciphertext
      }))
    })

    /**
     * Deletes delivered messages by row id, all of them in one transaction (one commit per catch-up);
     * the id list is split into statements of at most DELETE_CHUNK ids (SQLite's variable limit).
     */
    const deleteIds = (ids: ReadonlyArray<number>): Effect.Effect<void, SqlError> => {
      if (ids.length === 0) return Effect.void
      if (ids.length <= DELETE_CHUNK) return Effect.asVoid(sql`DELETE FROM messages WHERE ${sql.in("id", ids)}`)
      const chunks: Array<ReadonlyArray<number>> = []
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) chunks.push(ids.slice(i, i + DELETE_CHUNK))
      return Effect.forEach(chunks, (chunk) => sql`DELETE FROM messages WHERE ${sql.in("id", chunk)}`, { discard: true })
        .pipe(sql.withTransaction)
    }

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
