/**
 * Offline messages: each row has its own id; catch-up reads a page in id order and deletes exactly the
 * rows it delivered, by id (never by timestamp: stamps are chosen by senders).
 */
import { SqlClient, type Statement } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect } from "effect"

export interface NewMessage {
  readonly src: number
  readonly dst: number
  readonly stamp: number
  readonly ciphertext: Uint8Array
}

/** What one recipient has waiting: stored messages and their ciphertext bytes. */
export interface MailboxSize {
  readonly count: number
  readonly bytes: number
}

/** A stored message as the expiry sees it. */
export interface StoredRow {
  readonly id: number
  readonly dst: number
  readonly createdAt: number
  readonly bytes: number
}

export interface StoredMessage {
  readonly id: number
  readonly sender: string
  readonly stamp: number
  readonly ciphertext: Uint8Array
}

/** Sender names kept in memory (cleared when this many are held). */
const MAX_SENDER_NAMES = 20_000

/** Most ids in one DELETE statement. */
const DELETE_CHUNK = 1000

const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export class MessagesRepo extends Effect.Service<MessagesRepo>()("server/MessagesRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    // A statement whose text varies with a list's length (multi-row INSERT, IN list) runs unprepared on
    // MariaDB: mysql2 keeps every statement it prepared open, per connection, until 16,000 of them, while
    // MariaDB refuses more than max_prepared_stmt_count (16,382) in all; one prepared statement per batch
    // size and pool connection would reach that. (Values are still passed separately, escaped by mysql2.)
    const isMysql = sql.onDialectOrElse({ mysql: () => true, orElse: () => false })
    const varying = <A extends object>(statement: Statement.Statement<A>): Effect.Effect<ReadonlyArray<A>, SqlError> =>
      isMysql ? statement.unprepared : statement

    /**
     * Inserts a batch as one multi-row INSERT: a single statement is atomic and, in autocommit, committed
     * (durably: SQLite synchronous=FULL, InnoDB flush at commit) before it returns: either every message
     * is durable or none is. (No explicit BEGIN/COMMIT: on MariaDB that would cost two more round trips.)
     */
    const insertBatch = (messages: ReadonlyArray<NewMessage>) => {
      const now = Date.now()
      return Effect.asVoid(varying(sql`INSERT INTO messages ${
        sql.insert(messages.map((m) => ({
          src_user: m.src,
          dst_user: m.dst,
          stamp: m.stamp,
          ciphertext: blob(m.ciphertext),
          created_at: now
        })))
      }`))
    }

    // Sender names by user row id. A row's username never changes (rows are never deleted or renamed), so
    // the page query needs no JOIN: on MariaDB a JOIN made the optimizer sort the page (BLOBs included)
    // through a temporary table, doubling the query's time.
    const senderNames = new Map<number, string>()

    /** The names of these user ids (one query for the ones not known yet). */
    const senderNamesOf = (ids: ReadonlyArray<number>): Effect.Effect<Map<number, string>, SqlError> => {
      const names = new Map<number, string>()
      const missing = new Set<number>()
      for (const id of ids) {
        if (names.has(id)) continue
        const known = senderNames.get(id)
        if (known === undefined) missing.add(id)
        else names.set(id, known)
      }
      if (missing.size === 0) return Effect.succeed(names)
      return Effect.map(
        varying(sql<{ id: number | string; username: string }>`SELECT id, username FROM users WHERE ${sql.in("id", [...missing])}`),
        (rows) => {
          if (senderNames.size >= MAX_SENDER_NAMES) senderNames.clear()
          for (const r of rows) {
            names.set(Number(r.id), r.username)
            senderNames.set(Number(r.id), r.username)
          }
          return names
        }
      )
    }

    /** The oldest `limit` messages for a user after row `afterId`, oldest first. */
    const page = (dst: number, afterId: number, limit: number): Effect.Effect<Array<StoredMessage>, SqlError> =>
      Effect.flatMap(
        sql<{ id: number | string; src: number | string; stamp: number | string; ciphertext: Uint8Array }>`
          SELECT id, src_user AS src, stamp, ciphertext FROM messages
          WHERE dst_user = ${dst} AND id > ${afterId}
          ORDER BY id ASC LIMIT ${limit}`,
        (rows) => {
          const srcs = rows.map((r) => Number(r.src))
          return Effect.map(senderNamesOf(srcs), (names) =>
            rows.map((r, i): StoredMessage => ({
              id: Number(r.id),
              // the FOREIGN KEY guarantees the sender's row exists
              sender: names.get(srcs[i]) ?? "",
              stamp: Number(r.stamp),
              // both drivers return a Buffer of its own (or a view of a packet buffer nobody reuses): no copy
              ciphertext: r.ciphertext
            })))
        }
      )

    /**
     * Deletes delivered messages of `dst` by row id, all of them in one transaction (one commit per catch-up);
     * the id list is split into statements of at most DELETE_CHUNK ids (SQLite's variable limit).
     */
    const deleteIds = (dst: number, ids: ReadonlyArray<number>): Effect.Effect<void, SqlError> => {
      if (ids.length === 0) return Effect.void
      const remove = (chunk: ReadonlyArray<number>) =>
        varying(sql`DELETE FROM messages WHERE dst_user = ${dst} AND ${sql.in("id", chunk)}`)
      if (ids.length <= DELETE_CHUNK) return Effect.asVoid(remove(ids))
      const chunks: Array<ReadonlyArray<number>> = []
      for (let i = 0; i < ids.length; i += DELETE_CHUNK) chunks.push(ids.slice(i, i + DELETE_CHUNK))
      return Effect.forEach(chunks, remove, { discard: true })
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

    /** Every recipient's mailbox size, in one aggregate query (read once at start-up). */
    const mailboxSizes = Effect.map(
      sql<{ dst: number | string; n: number | string; bytes: number | string | null }>`
        SELECT dst_user AS dst, COUNT(*) AS n, SUM(LENGTH(ciphertext)) AS bytes FROM messages GROUP BY dst_user`,
      (rows) => new Map(rows.map((r) => [Number(r.dst), { count: Number(r.n), bytes: Number(r.bytes ?? 0) }]))
    )

    /** One recipient's mailbox size, as stored now. */
    const mailboxSize = (dst: number): Effect.Effect<MailboxSize, SqlError> =>
      Effect.map(
        sql<{ n: number | string; bytes: number | string | null }>`
          SELECT COUNT(*) AS n, SUM(LENGTH(ciphertext)) AS bytes FROM messages WHERE dst_user = ${dst}`,
        ([row]) => ({ count: Number(row?.n ?? 0), bytes: Number(row?.bytes ?? 0) })
      )

    /** The `limit` oldest stored messages (lowest ids), whoever they are for. */
    const oldest = (limit: number): Effect.Effect<Array<StoredRow>, SqlError> =>
      Effect.map(
        sql<{ id: number | string; dst: number | string; created_at: number | string; bytes: number | string }>`
          SELECT id, dst_user AS dst, created_at, LENGTH(ciphertext) AS bytes FROM messages ORDER BY id ASC LIMIT ${limit}`,
        (rows) => rows.map((r) => ({ id: Number(r.id), dst: Number(r.dst), createdAt: Number(r.created_at), bytes: Number(r.bytes) }))
      )

    /** Deletes messages by row id, whoever they are for (at most DELETE_CHUNK ids). */
    const deleteRows = (ids: ReadonlyArray<number>): Effect.Effect<void, SqlError> =>
      ids.length === 0 ? Effect.void : Effect.asVoid(varying(sql`DELETE FROM messages WHERE ${sql.in("id", ids)}`))

    return { insertBatch, page, deleteIds, clearFor, countFor, mailboxSizes, mailboxSize, oldest, deleteRows } as const
  })
}) {}
