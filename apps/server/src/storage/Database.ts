/**
 * One SqlClient for either backend: embedded SQLite (a file in the data directory, created 0700/0600) or
 * MariaDB/MySQL through mysql2. The versioned migrations of the chosen dialect are applied by `migrate`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Migrator, SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { MysqlClient } from "@effect/sql-mysql2"
import { Data, Effect, Layer } from "effect"
import type { DatabaseSettings } from "../config/ServerConfig.js"
import { mysqlMigrations } from "./migrations/mysql.js"
import { sqliteMigrations } from "./migrations/sqlite.js"
import * as SqliteWorkerClient from "./SqliteWorkerClient.js"

export class DatabaseOpenError extends Data.TaggedError("DatabaseOpenError")<{ readonly message: string }> {}

/** Creates the SQLite file's directory (0700) and the file itself (0600) if they do not exist yet. */
const prepareSqliteFile = (filename: string) =>
  Effect.try({
    try: () => {
      const dir = path.dirname(filename)
      if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      if (!fs.existsSync(filename)) fs.closeSync(fs.openSync(filename, "a", 0o600))
    },
    catch: (e) => new DatabaseOpenError({ message: `cannot create ${filename}: ${(e as Error).message}` })
  })

// A busy timeout lets the operator CLI and a running server share the file; FULL sync makes a committed
// offline message survive power loss, not only a killed process.
const sqlitePragmas = Layer.effectDiscard(
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.all([
      sql`PRAGMA busy_timeout = 10000`,
      sql`PRAGMA synchronous = FULL`,
      sql`PRAGMA foreign_keys = ON`
    ], { discard: true }))
)

const sqliteLayer = (filename: string) =>
  Layer.unwrapEffect(
    Effect.as(
      prepareSqliteFile(filename),
      sqlitePragmas.pipe(Layer.provideMerge(SqliteWorkerClient.layer({ filename })))
    )
  )

/** Size of the MariaDB connection pool (all kept open). */
const MYSQL_CONNECTIONS = 8

const mysqlLayer = (d: Extract<DatabaseSettings, { kind: "mysql" }>) =>
  MysqlClient.layer({
    host: d.host,
    port: d.port,
    database: d.database,
    username: d.user,
    password: d.password,
    maxConnections: MYSQL_CONNECTIONS,
    // keep the pool's connections open: @effect/sql-mysql2 defaults `maxIdle` to 0, with which mysql2 closes
    // every idle connection each second, so the next query pays a new connection plus a new PREPARE
    poolConfig: { supportBigNumbers: true, bigNumberStrings: false, maxIdle: MYSQL_CONNECTIONS }
  })

const describeCause = (e: unknown): string => {
  const cause = (e as { cause?: unknown })?.cause
  const inner = cause instanceof Error ? cause.message : undefined
  const outer = e instanceof Error ? e.message : String(e)
  return inner && inner !== outer ? `${outer}: ${inner}` : outer
}

/** The SqlClient for the configured database; a database that cannot be opened fails with one line. */
export const databaseLayer = (
  settings: DatabaseSettings
): Layer.Layer<SqlClient.SqlClient, DatabaseOpenError> => {
  const layer: Layer.Layer<SqlClient.SqlClient, unknown> = settings.kind === "sqlite"
    ? sqliteLayer(settings.filename)
    : mysqlLayer(settings)
  const where = settings.kind === "sqlite"
    ? `sqlite:${settings.filename}`
    : `mysql://${settings.host}:${settings.port}/${settings.database}`
  return Layer.mapError(layer, (e) =>
    e instanceof DatabaseOpenError
      ? e
      : new DatabaseOpenError({ message: `cannot open database ${where}: ${describeCause(e)}` }))
}

const runMigrator = Migrator.make({})

/** Applies every pending migration of the connected dialect; returns the ones applied now. */
export const migrate: Effect.Effect<
  ReadonlyArray<readonly [id: number, name: string]>,
  Migrator.MigrationError | SqlError,
  SqlClient.SqlClient
> = Effect.flatMap(SqlClient.SqlClient, (sql) =>
  runMigrator({
    loader: Migrator.fromRecord(sql.onDialectOrElse({
      mysql: () => mysqlMigrations,
      orElse: () => sqliteMigrations
    })),
    table: "gochat_migrations"
  }))
