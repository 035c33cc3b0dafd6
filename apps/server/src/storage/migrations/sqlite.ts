/**
 * Versioned schema for SQLite. Never edit a released migration: add the next number.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export const sqliteMigrations = {
  "0001_init": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE users (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      username TEXT NOT NULL UNIQUE,
      pubkey BLOB UNIQUE,
      permission INTEGER NOT NULL DEFAULT 0 CHECK (permission BETWEEN 0 AND 2),
      created_at INTEGER NOT NULL,
      deregistered_at INTEGER
    )`
    yield* sql`CREATE TABLE messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      src_user INTEGER NOT NULL REFERENCES users(id),
      dst_user INTEGER NOT NULL REFERENCES users(id),
      stamp INTEGER NOT NULL,
      ciphertext BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      CHECK (src_user <> dst_user)
    )`
    yield* sql`CREATE INDEX messages_dst_id ON messages (dst_user, id)`
    yield* sql`CREATE TABLE settings (
      name TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    )`
  })
}
