/// <reference path="./better-sqlite3.d.ts" />
/**
 * The server's SqlClient for SQLite: writes off the event loop.
 *
 * better-sqlite3 is synchronous, and with `synchronous = FULL` every commit waits for its fsync (1.5–3 ms
 * on this disk): run on the main thread, each group commit or REG stalled every connection for that long.
 * Here one worker thread owns the connection that writes; the main thread keeps a second, query-only
 * connection for reads, which in WAL mode never wait for a writer or an fsync.
 *
 * - Reads (a statement SQLite itself reports as read-only and returning rows, outside a transaction) run
 *   on the main thread, prepared once and cached. A read issued after a write completed sees it: the write
 *   was committed before the worker answered, and each read is its own read transaction.
 * - Everything else (INSERT, UPDATE, DELETE, PRAGMA, DDL, and every statement of a transaction) is a
 *   message to the worker, which runs statements one at a time in the order they were sent and answers
 *   each after it finished (committed, in autocommit). So the group commit's OK still means "committed",
 *   and the repositories keep the semantics they had with `@effect/sql-sqlite-node`.
 * - Transactions hold a semaphore as SqliteClient's do: a statement outside the transaction waits until
 *   it ends, so nothing else slips in between its BEGIN and COMMIT on the worker's connection.
 * - `preparedQuery` (Prepared.ts) runs a read without the statement pipeline: a login's user lookup.
 *
 * The worker is an `eval` worker loading better-sqlite3 from the path this module resolves, so it works
 * from the sources, the bundle and the container image alike. A single executable (`pnpm release`) has no
 * better-sqlite3 on disk for a worker to load: there `layer` falls back to `@effect/sql-sqlite-node`
 * (writes on the main thread, as before).
 */
import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as Client from "@effect/sql/SqlClient"
import type { Connection } from "@effect/sql/SqlConnection"
import { SqlError } from "@effect/sql/SqlError"
import * as Statement from "@effect/sql/Statement"
import { SqliteClient } from "@effect/sql-sqlite-node"
import Sqlite from "better-sqlite3"
import { Context, Effect, Layer, Scope } from "effect"
import { FastQuery } from "./Prepared.js"

export interface SqliteWorkerConfig {
  readonly filename: string
  /** how long a statement waits for a lock held by another process (the operator CLI) */
  readonly busyTimeoutMs?: number
}

/** Prepared statements kept per connection (each distinct SQL text is one). */
const PREPARE_CACHE = 256

type Op = "execute" | "raw" | "values" | "unprepared"

interface Request {
  readonly id: number
  readonly op: Op | "close"
  readonly sql: string
  readonly params: ReadonlyArray<unknown>
}

type Reply =
  | { readonly id: number; readonly rows: unknown }
  | { readonly id: number; readonly error: string; readonly code?: string }

// The worker's whole program (CommonJS, run with `eval: true`): one connection, statements in order.
const WORKER_SOURCE = `
"use strict"
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
const db = new Database(workerData.filename, { timeout: workerData.busyTimeoutMs })
db.pragma("journal_mode = WAL")
const cache = new Map()
const prepare = (sql) => {
  let s = cache.get(sql)
  if (s === undefined) {
    s = db.prepare(sql)
    if (cache.size >= ${PREPARE_CACHE}) cache.delete(cache.keys().next().value)
    cache.set(sql, s)
  }
  return s
}
// structured cloning turns a Buffer into a plain Uint8Array
const param = (p) => p instanceof Uint8Array && !Buffer.isBuffer(p) ? Buffer.from(p.buffer, p.byteOffset, p.byteLength) : p
parentPort.on("message", (m) => {
  if (m.op === "close") {
    db.close()
    parentPort.postMessage({ id: m.id, rows: [] })
    parentPort.close()
    return
  }
  try {
    const s = m.op === "unprepared" ? db.prepare(m.sql) : prepare(m.sql)
    const params = m.params.map(param)
    let rows
    if (m.op === "values") {
      if (s.reader) {
        s.raw(true)
        try { rows = s.all(...params) } finally { s.raw(false) }
      } else {
        s.run(...params)
        rows = []
      }
    } else if (s.reader) {
      rows = s.all(...params)
    } else {
      const result = s.run(...params)
      rows = m.op === "raw" ? result : []
    }
    parentPort.postMessage({ id: m.id, rows })
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e), code: e && e.code })
  }
})
parentPort.postMessage({ id: 0, rows: [] })
`

const sqlError = (message: string, cause?: unknown) => new SqlError({ message, cause })

const isPragma = /^\s*pragma\b/i

/** The worker's side: a queue of requests answered in order. */
const startWorker = (config: SqliteWorkerConfig, driver: string) =>
  Effect.async<{ worker: Worker; send: (op: Request["op"], sql: string, params: ReadonlyArray<unknown>) => Effect.Effect<unknown, SqlError> }, SqlError>((resume) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, filename: config.filename, busyTimeoutMs: config.busyTimeoutMs ?? 10_000 }
    })
    const pending = new Map<number, (reply: Reply) => void>()
    let nextId = 1
    let dead: string | undefined
    let started = false
    const failAll = (why: string) => {
      dead = why
      for (const done of pending.values()) done({ id: 0, error: why })
      pending.clear()
    }
    worker.on("message", (reply: Reply) => {
      if (reply.id === 0 && !started) {
        started = true
        return resume(Effect.succeed({ worker, send }))
      }
      const done = pending.get(reply.id)
      if (done === undefined) return
      pending.delete(reply.id)
      done(reply)
    })
    worker.on("error", (error) => {
      if (!started) {
        started = true
        resume(Effect.fail(sqlError(`cannot open ${config.filename}: ${error.message}`, error)))
      }
      failAll(`the SQLite worker failed: ${error.message}`)
    })
    worker.on("exit", (code) => failAll(`the SQLite worker exited (${code})`))
    const send = (op: Request["op"], sql: string, params: ReadonlyArray<unknown>) =>
      Effect.async<unknown, SqlError>((resumeQuery) => {
        if (dead !== undefined) return resumeQuery(Effect.fail(sqlError(dead)))
        const id = nextId++
        pending.set(id, (reply) =>
          resumeQuery("error" in reply
            ? Effect.fail(sqlError(`Failed to execute statement: ${reply.error}`, reply))
            : Effect.succeed(reply.rows)))
        worker.postMessage({ id, op, sql, params } satisfies Request)
      })
  })

/** Makes the client; its scope closes the worker (after the statements already sent) and the reader. */
export const make = (
  config: SqliteWorkerConfig,
  driver: string
): Effect.Effect<Client.SqlClient, SqlError, Scope.Scope | Reactivity.Reactivity> =>
  Effect.gen(function*() {
    const compiler = Statement.makeCompilerSqlite()
    const { send, worker } = yield* Effect.acquireRelease(startWorker(config, driver), ({ send, worker }) =>
      Effect.zipRight(
        Effect.ignore(send("close", "", [])),
        Effect.promise(() => worker.terminate())
      ))

    // opened after the worker, which made the file a WAL database
    const reader = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const db = new Sqlite(config.filename, { timeout: config.busyTimeoutMs ?? 10_000 })
          db.pragma("query_only = ON")
          return db
        },
        catch: (cause) => sqlError(`cannot open ${config.filename} for reading`, cause)
      }),
      (db) => Effect.sync(() => db.close())
    )

    /** Read statements prepared on the reader; null: the statement is not a read (it goes to the worker). */
    const reads = new Map<string, Sqlite.Statement | null>()
    const readStatement = (sql: string): Sqlite.Statement | null => {
      const known = reads.get(sql)
      if (known !== undefined) return known
      let statement: Sqlite.Statement | null = null
      try {
        const s = reader.prepare(sql)
        if (s.reader && s.readonly && !isPragma.test(sql)) statement = s
      } catch {
        // e.g. a table a migration has not created yet: the worker reports the error, if any
        return null
      }
      if (reads.size >= PREPARE_CACHE) reads.delete(reads.keys().next().value!)
      reads.set(sql, statement)
      return statement
    }

    const readNow = (statement: Sqlite.Statement, params: ReadonlyArray<unknown>, raw: boolean) =>
      Effect.try({
        try: () => {
          if (!raw) return statement.all(...params) as ReadonlyArray<any>
          statement.raw(true)
          try {
            return statement.all(...params) as ReadonlyArray<any>
          } finally {
            statement.raw(false)
          }
        },
        catch: (cause) => sqlError("Failed to execute statement", cause)
      })

    const rowsOf = (effect: Effect.Effect<unknown, SqlError>) => effect as Effect.Effect<ReadonlyArray<any>, SqlError>

    /** Outside transactions: reads here, writes in the worker. */
    const plain: Connection = {
      execute(sql, params, transformRows) {
        const s = readStatement(sql)
        const rows = s !== null ? readNow(s, params, false) : rowsOf(send("execute", sql, params))
        return transformRows ? Effect.map(rows, transformRows) : rows
      },
      executeRaw(sql, params) {
        return send("raw", sql, params)
      },
      executeValues(sql, params) {
        const s = readStatement(sql)
        return s !== null ? readNow(s, params, true) : rowsOf(send("values", sql, params)) as any
      },
      executeUnprepared(sql, params, transformRows) {
        const rows = rowsOf(send("unprepared", sql, params ?? []))
        return transformRows ? Effect.map(rows, transformRows) : rows
      },
      executeStream() {
        return Effect.dieMessage("executeStream not implemented") as any
      }
    }

    /** Inside a transaction: every statement on the worker's connection, in order. */
    const inTransaction: Connection = {
      execute(sql, params, transformRows) {
        const rows = rowsOf(send("execute", sql, params))
        return transformRows ? Effect.map(rows, transformRows) : rows
      },
      executeRaw: (sql, params) => send("raw", sql, params),
      executeValues: (sql, params) => rowsOf(send("values", sql, params)) as any,
      executeUnprepared(sql, params, transformRows) {
        const rows = rowsOf(send("unprepared", sql, params ?? []))
        return transformRows ? Effect.map(rows, transformRows) : rows
      },
      executeStream() {
        return Effect.dieMessage("executeStream not implemented") as any
      }
    }

    const semaphore = yield* Effect.makeSemaphore(1)
    const acquirer = semaphore.withPermits(1)(Effect.succeed(plain))
    const transactionAcquirer = Effect.uninterruptibleMask((restore) =>
      Effect.as(
        Effect.zipRight(
          restore(semaphore.take(1)),
          Effect.tap(Effect.scope, (scope) => Scope.addFinalizer(scope, semaphore.release(1)))
        ),
        inTransaction
      )
    )

    const client = yield* Client.make({
      acquirer,
      compiler,
      transactionAcquirer,
      spanAttributes: [["db.system.name", "sqlite"]]
    })

    /** A read prepared once, run without the statement pipeline (outside transactions only). */
    const fastQuery = (sql: string) => (params: ReadonlyArray<unknown>) => {
      const s = readStatement(sql)
      return s !== null ? readNow(s, params, false) : rowsOf(send("execute", sql, params))
    }
    return Object.assign(client, { [FastQuery]: fastQuery })
  })

/** Where better-sqlite3 is on disk, for the worker; undefined in a single executable (no such file). */
const driverPath = (): string | undefined => {
  try {
    return createRequire(import.meta.url).resolve("better-sqlite3")
  } catch {
    return undefined
  }
}

/** The SqlClient for a SQLite file: the worker client, or SqliteClient where no worker can load the driver. */
export const layer = (config: SqliteWorkerConfig): Layer.Layer<Client.SqlClient, SqlError | unknown> => {
  const driver = driverPath()
  if (driver === undefined) return SqliteClient.layer({ filename: config.filename })
  return Layer.scopedContext(
    Effect.map(make(config, driver), (client) => Context.make(Client.SqlClient, client))
  ).pipe(Layer.provide(Reactivity.layer))
}
