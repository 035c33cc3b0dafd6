/**
 * The local store (SQLite): servers, local accounts (bcrypt hash + private key encrypted at
 * rest), contacts with their pinned public keys, and message history in both directions.
 * The database file is created with mode 0600; SqlErrors become `StoreFailure` here.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { SqlClient, type SqlError } from "@effect/sql"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { LocalExists, LocalNotFound, StoreFailure } from "./errors.js"
import { migrations } from "./migrations.js"

export interface ServerRecord {
  readonly serverId: number
  readonly name: string
  readonly address: string
  readonly port: number
  readonly tls: boolean
  readonly verifyTls: boolean
}

export interface LocalUserRecord {
  readonly localId: number
  /** undefined when the server was deleted ("dangling" account, see RECOVER). */
  readonly serverId: number | undefined
  readonly serverLabel: string
  readonly username: string
  readonly passwordHash: string
  readonly privateKey: Uint8Array
  readonly createdAt: Date
}

export interface ContactRecord {
  readonly serverId: number
  readonly username: string
  /** The pinned public key (PEM as received in REQ). */
  readonly publicKey: string
  readonly fingerprint: string
  readonly firstSeen: Date
  readonly permission: number | undefined
  /** A different key offered later by the server, waiting for TRUST. */
  readonly pendingKey: string | undefined
  readonly pendingFingerprint: string | undefined
}

export interface MessageRecord {
  readonly messageId: number
  readonly localId: number
  readonly peer: string
  readonly direction: "in" | "out"
  readonly stamp: Date
  readonly text: string
}

/** Server fields SETSERVER may change. */
export type ServerField = "name" | "address" | "port" | "tls" | "verify_tls"

interface ServerRow {
  server_id: number
  name: string
  address: string
  port: number
  tls: number
  verify_tls: number
}
interface LocalUserRow {
  local_id: number
  server_id: number | null
  server_label: string
  username: string
  password_hash: string
  private_key: Uint8Array
  created_at: number
}
interface ContactRow {
  server_id: number
  username: string
  public_key: string
  fingerprint: string
  first_seen: number
  permission: number | null
  pending_key: string | null
  pending_fingerprint: string | null
}
interface MessageRow {
  message_id: number
  local_id: number
  peer: string
  direction: "in" | "out"
  stamp: number
  text: string
}

const toServer = (r: ServerRow): ServerRecord => ({
  serverId: r.server_id,
  name: r.name,
  address: r.address,
  port: r.port,
  tls: r.tls !== 0,
  verifyTls: r.verify_tls !== 0
})
const toLocalUser = (r: LocalUserRow): LocalUserRecord => ({
  localId: r.local_id,
  serverId: r.server_id ?? undefined,
  serverLabel: r.server_label,
  username: r.username,
  passwordHash: r.password_hash,
  privateKey: new Uint8Array(r.private_key),
  createdAt: new Date(r.created_at * 1000)
})
const toContact = (r: ContactRow): ContactRecord => ({
  serverId: r.server_id,
  username: r.username,
  publicKey: r.public_key,
  fingerprint: r.fingerprint,
  firstSeen: new Date(r.first_seen * 1000),
  permission: r.permission ?? undefined,
  pendingKey: r.pending_key ?? undefined,
  pendingFingerprint: r.pending_fingerprint ?? undefined
})
const toMessage = (r: MessageRow): MessageRecord => ({
  messageId: r.message_id,
  localId: r.local_id,
  peer: r.peer,
  direction: r.direction,
  stamp: new Date(r.stamp * 1000),
  text: r.text
})

const nowSeconds = () => Math.floor(Date.now() / 1000)
const storeFailure = (e: SqlError.SqlError) => new StoreFailure({ reason: e.message })

export const serverLabel = (s: { name: string; address: string; port: number }) => `${s.name} - ${s.address}:${s.port}`

export class Store extends Effect.Service<Store>()("client/Store", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    yield* sql`PRAGMA foreign_keys = ON`.pipe(Effect.orDie)

    const one = <A>(rows: ReadonlyArray<A>): A | undefined => rows[0]

    // ---- servers -------------------------------------------------------------------------
    const getServer = (name: string) =>
      sql<ServerRow>`SELECT * FROM servers WHERE name = ${name}`.pipe(
        Effect.map((rows) => one(rows)),
        Effect.map((r) => (r === undefined ? undefined : toServer(r))),
        Effect.mapError(storeFailure)
      )
    const requireServer = (name: string) =>
      Effect.flatMap(getServer(name), (s) =>
        s === undefined
          ? Effect.fail(new LocalNotFound({ reason: `no server named ${name} (list them with SERVERS, add one with REGSERVER)` }))
          : Effect.succeed(s))
    const findServerByAddress = (address: string, port: number) =>
      sql<ServerRow>`SELECT * FROM servers WHERE address = ${address} AND port = ${port} ORDER BY server_id LIMIT 1`.pipe(
        Effect.map((rows) => (rows[0] === undefined ? undefined : toServer(rows[0]))),
        Effect.mapError(storeFailure)
      )
    const listServers = sql<ServerRow>`SELECT * FROM servers ORDER BY name`.pipe(
      Effect.map((rows) => rows.map(toServer)),
      Effect.mapError(storeFailure)
    )
    const addServer = (s: { name: string; address: string; port: number; tls: boolean; verifyTls?: boolean }) =>
      Effect.gen(function*() {
        if ((yield* getServer(s.name)) !== undefined) {
          return yield* new LocalExists({ reason: `a server named ${s.name} already exists (change it with SETSERVER)` })
        }
        yield* sql`INSERT INTO servers (name, address, port, tls, verify_tls)
          VALUES (${s.name}, ${s.address}, ${s.port}, ${s.tls ? 1 : 0}, ${s.verifyTls === false ? 0 : 1})`.pipe(
          Effect.mapError(storeFailure)
        )
        return (yield* requireServer(s.name).pipe(Effect.orDie))
      })
    const deleteServer = (name: string) =>
      Effect.gen(function*() {
        const server = yield* requireServer(name)
        yield* sql.withTransaction(Effect.gen(function*() {
          yield* sql`UPDATE local_users SET server_label = ${serverLabel(server)} WHERE server_id = ${server.serverId}`
          yield* sql`DELETE FROM servers WHERE server_id = ${server.serverId}`
        })).pipe(Effect.mapError(storeFailure))
        return server
      })
    const updateServer = (name: string, field: ServerField, value: string | number | boolean) =>
      Effect.gen(function*() {
        const server = yield* requireServer(name)
        const v = typeof value === "boolean" ? (value ? 1 : 0) : value
        if (field === "name" && (yield* getServer(String(value))) !== undefined) {
          return yield* new LocalExists({ reason: `a server named ${value} already exists` })
        }
        yield* sql`UPDATE servers SET ${sql(field)} = ${v} WHERE server_id = ${server.serverId}`.pipe(
          Effect.mapError(storeFailure)
        )
        yield* sql`UPDATE local_users SET server_label = ${serverLabel({ ...server, [field]: value } as ServerRecord)}
          WHERE server_id = ${server.serverId}`.pipe(Effect.mapError(storeFailure))
      })

    // ---- local accounts ------------------------------------------------------------------
    const getLocalUser = (serverId: number, username: string) =>
      sql<LocalUserRow>`SELECT * FROM local_users WHERE server_id = ${serverId} AND username = ${username}`.pipe(
        Effect.map((rows) => (rows[0] === undefined ? undefined : toLocalUser(rows[0]))),
        Effect.mapError(storeFailure)
      )
    const addLocalUser = (u: { server: ServerRecord; username: string; passwordHash: string; privateKey: Uint8Array }) =>
      Effect.gen(function*() {
        if ((yield* getLocalUser(u.server.serverId, u.username)) !== undefined) {
          return yield* new LocalExists({ reason: `a local account ${u.username} already exists for ${u.server.name}` })
        }
        yield* sql`INSERT INTO local_users (server_id, server_label, username, password_hash, private_key, created_at)
          VALUES (${u.server.serverId}, ${serverLabel(u.server)}, ${u.username}, ${u.passwordHash},
                  ${Buffer.from(u.privateKey)}, ${nowSeconds()})`.pipe(Effect.mapError(storeFailure))
        const created = yield* getLocalUser(u.server.serverId, u.username)
        return created!
      })
    /** Local accounts of one server, or of every server (dangling ones included) when omitted. */
    const listLocalUsers = (serverId?: number) =>
      (serverId === undefined
        ? sql<LocalUserRow>`SELECT * FROM local_users ORDER BY username, local_id`
        : sql<LocalUserRow>`SELECT * FROM local_users WHERE server_id = ${serverId} ORDER BY username`).pipe(
          Effect.map((rows) => rows.map(toLocalUser)),
          Effect.mapError(storeFailure)
        )
    const danglingUsers = (username: string) =>
      sql<LocalUserRow>`SELECT * FROM local_users WHERE server_id IS NULL AND username = ${username} ORDER BY local_id`.pipe(
        Effect.map((rows) => rows.map(toLocalUser)),
        Effect.mapError(storeFailure)
      )
    const deleteLocalUser = (localId: number) =>
      sql`DELETE FROM local_users WHERE local_id = ${localId}`.pipe(Effect.asVoid, Effect.mapError(storeFailure))

    // ---- contacts ------------------------------------------------------------------------
    const getContact = (serverId: number, username: string) =>
      sql<ContactRow>`SELECT * FROM contacts WHERE server_id = ${serverId} AND username = ${username}`.pipe(
        Effect.map((rows) => (rows[0] === undefined ? undefined : toContact(rows[0]))),
        Effect.mapError(storeFailure)
      )
    const listContacts = (serverId?: number) =>
      (serverId === undefined
        ? sql<ContactRow>`SELECT * FROM contacts ORDER BY username`
        : sql<ContactRow>`SELECT * FROM contacts WHERE server_id = ${serverId} ORDER BY username`).pipe(
          Effect.map((rows) => rows.map(toContact)),
          Effect.mapError(storeFailure)
        )
    /** Pin a first key for a contact. */
    const pinContact = (c: { serverId: number; username: string; publicKey: string; fingerprint: string; permission: number }) =>
      sql`INSERT INTO contacts (server_id, username, public_key, fingerprint, first_seen, permission)
        VALUES (${c.serverId}, ${c.username}, ${c.publicKey}, ${c.fingerprint}, ${nowSeconds()}, ${c.permission})`.pipe(
        Effect.asVoid,
        Effect.mapError(storeFailure)
      )
    const setContactPermission = (serverId: number, username: string, permission: number) =>
      sql`UPDATE contacts SET permission = ${permission} WHERE server_id = ${serverId} AND username = ${username}`.pipe(
        Effect.asVoid,
        Effect.mapError(storeFailure)
      )
    /** Record a different key offered for a pinned contact (or clear it with undefined). */
    const setPendingKey = (serverId: number, username: string, pending: { publicKey: string; fingerprint: string } | undefined) =>
      sql`UPDATE contacts SET pending_key = ${pending?.publicKey ?? null},
          pending_fingerprint = ${pending?.fingerprint ?? null},
          pending_seen = ${pending === undefined ? null : nowSeconds()}
        WHERE server_id = ${serverId} AND username = ${username}`.pipe(Effect.asVoid, Effect.mapError(storeFailure))
    /** Replace the pinned key by the pending one (TRUST). */
    const acceptPendingKey = (serverId: number, username: string) =>
      sql`UPDATE contacts SET public_key = pending_key, fingerprint = pending_fingerprint, first_seen = pending_seen,
          pending_key = NULL, pending_fingerprint = NULL, pending_seen = NULL
        WHERE server_id = ${serverId} AND username = ${username} AND pending_key IS NOT NULL`.pipe(
        Effect.asVoid,
        Effect.mapError(storeFailure)
      )

    // ---- messages ------------------------------------------------------------------------
    const addMessage = (m: { localId: number; peer: string; direction: "in" | "out"; stamp: Date; text: string }) =>
      sql`INSERT INTO messages (local_id, peer, direction, stamp, text, stored_at)
        VALUES (${m.localId}, ${m.peer}, ${m.direction}, ${Math.floor(m.stamp.getTime() / 1000)}, ${m.text}, ${nowSeconds()})`
        .pipe(Effect.asVoid, Effect.mapError(storeFailure))
    /** A conversation, oldest first; the last `limit` messages when given. */
    const history = (localId: number, peer: string, limit = 1_000_000) =>
      sql<MessageRow>`SELECT * FROM (SELECT * FROM messages WHERE local_id = ${localId} AND peer = ${peer}
          ORDER BY stamp DESC, message_id DESC LIMIT ${limit}) ORDER BY stamp, message_id`.pipe(
        Effect.map((rows) => rows.map(toMessage)),
        Effect.mapError(storeFailure)
      )
    /** Every message of an account, grouped by peer, oldest first. */
    const allMessages = (localId: number) =>
      sql<MessageRow>`SELECT * FROM messages WHERE local_id = ${localId} ORDER BY peer, stamp, message_id`.pipe(
        Effect.map((rows) => rows.map(toMessage)),
        Effect.mapError(storeFailure)
      )
    const peers = (localId: number) =>
      sql<{ peer: string }>`SELECT DISTINCT peer FROM messages WHERE local_id = ${localId} ORDER BY peer`.pipe(
        Effect.map((rows) => rows.map((r) => r.peer)),
        Effect.mapError(storeFailure)
      )

    // ---- conversations (what a front end shows; see migration 0002) -----------------------
    /** Peers of the account's open conversations, in the order they were (re)opened. */
    const openConversations = (localId: number) =>
      sql<{ peer: string }>`SELECT peer FROM conversations WHERE local_id = ${localId} AND open = 1
          ORDER BY position`.pipe(
        Effect.map((rows) => rows.map((r) => r.peer)),
        Effect.mapError(storeFailure)
      )
    /** Marks a conversation open (reopening moves it last) or closed; its messages are kept. */
    const setConversationOpen = (localId: number, peer: string, open: boolean) =>
      sql`INSERT INTO conversations (local_id, peer, open, position)
        VALUES (${localId}, ${peer}, ${open ? 1 : 0},
                (SELECT COALESCE(MAX(position), 0) + 1 FROM conversations WHERE local_id = ${localId}))
        ON CONFLICT (local_id, peer) DO UPDATE SET open = excluded.open,
          position = CASE WHEN conversations.open = 0 AND excluded.open = 1 THEN excluded.position ELSE conversations.position END`
        .pipe(Effect.asVoid, Effect.mapError(storeFailure))

    return {
      openConversations,
      setConversationOpen,
      getServer,
      requireServer,
      findServerByAddress,
      listServers,
      addServer,
      deleteServer,
      updateServer,
      getLocalUser,
      addLocalUser,
      listLocalUsers,
      danglingUsers,
      deleteLocalUser,
      getContact,
      listContacts,
      pinContact,
      setContactPermission,
      setPendingKey,
      acceptPendingKey,
      addMessage,
      history,
      allMessages,
      peers
    } as const
  })
}) {
  /**
   * The store on a database file: creates it (mode 0600, parent directories 0700), runs the
   * migrations. Use ":memory:" for a throw-away store.
   */
  static readonly layerFile = (filename: string) => {
    const prepare = Effect.try({
      try: () => {
        if (filename === ":memory:") return
        fs.mkdirSync(path.dirname(filename), { recursive: true, mode: 0o700 })
        fs.closeSync(fs.openSync(filename, "a", 0o600))
        fs.chmodSync(filename, 0o600)
      },
      catch: (e) => new StoreFailure({ reason: `cannot create ${filename}: ${(e as Error).message}` })
    })
    const sqlite = Layer.unwrapEffect(Effect.as(prepare, SqliteClient.layer({ filename })))
    const migrated = SqliteMigrator.layer({ loader: SqliteMigrator.fromRecord(migrations) }).pipe(
      Layer.provide(NodeContext.layer)
    )
    return Store.Default.pipe(
      Layer.provide(migrated),
      Layer.provideMerge(sqlite),
      Layer.mapError((e) => (e instanceof StoreFailure ? e : new StoreFailure({ reason: String((e as Error).message ?? e) })))
    )
  }
}
