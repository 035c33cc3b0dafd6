/**
 * Versioned migrations of the client database. Add a new numbered entry for every change;
 * never edit one that has shipped.
 */
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"

const m0001_initial = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE servers (
    server_id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    address TEXT NOT NULL,
    port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
    tls INTEGER NOT NULL DEFAULT 0,
    verify_tls INTEGER NOT NULL DEFAULT 1
  )`
  // server_id is NULL once the server is deleted: the account is then "dangling" and only
  // reachable through RECOVER. server_label keeps a readable name for it.
  yield* sql`CREATE TABLE local_users (
    local_id INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER REFERENCES servers(server_id) ON DELETE SET NULL,
    server_label TEXT NOT NULL,
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    private_key BLOB NOT NULL,
    created_at INTEGER NOT NULL
  )`
  yield* sql`CREATE UNIQUE INDEX local_users_server_username ON local_users(server_id, username)`
  yield* sql`CREATE TABLE contacts (
    contact_id INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER NOT NULL REFERENCES servers(server_id) ON DELETE CASCADE,
    username TEXT NOT NULL,
    public_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    permission INTEGER,
    pending_key TEXT,
    pending_fingerprint TEXT,
    pending_seen INTEGER,
    UNIQUE (server_id, username)
  )`
  // Messages belong to a local account; peer is the other side's username. Both directions,
  // stamp = the sender's stamp (unix seconds), stored_at = when this client stored it.
  yield* sql`CREATE TABLE messages (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT,
    local_id INTEGER NOT NULL REFERENCES local_users(local_id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    stamp INTEGER NOT NULL,
    text TEXT NOT NULL,
    stored_at INTEGER NOT NULL
  )`
  yield* sql`CREATE INDEX messages_conversation ON messages(local_id, peer, stamp)`
})

// Conversations a front end shows, per local account: `open` = 1 while the conversation is
// shown (reopened at the next login), 0 once closed (until reopened or a new message arrives).
// `position` orders them (the last (re)opened last). Existing conversations (peers with
// messages) start open, in the order of their first message.
const m0002_conversations = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  yield* sql`CREATE TABLE conversations (
    local_id INTEGER NOT NULL REFERENCES local_users(local_id) ON DELETE CASCADE,
    peer TEXT NOT NULL,
    open INTEGER NOT NULL DEFAULT 1,
    position INTEGER NOT NULL,
    PRIMARY KEY (local_id, peer)
  )`
  yield* sql`INSERT INTO conversations (local_id, peer, open, position)
    SELECT local_id, peer, 1, MIN(message_id) FROM messages GROUP BY local_id, peer`
})

export const migrations = {
  "0001_initial": m0001_initial,
  "0002_conversations": m0002_conversations
} as const
