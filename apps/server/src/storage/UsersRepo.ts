/**
 * Accounts. A user row is never deleted: deregistration clears the public key (the name stays burned).
 * Usernames are stored lowercase; public keys as canonical SPKI DER, both unique.
 */
import { SqlClient } from "@effect/sql"
import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Option } from "effect"
import { preparedQuery } from "./Prepared.js"

export interface UserRow {
  readonly id: number
  readonly username: string
  /** canonical SPKI DER; undefined once deregistered */
  readonly pubkey: Uint8Array | undefined
  readonly permission: number
}

export type InsertResult = "ok" | "name-taken" | "name-deregistered" | "key-taken"

interface RawUser {
  readonly id: number | string
  readonly username: string
  readonly pubkey: Uint8Array | null
  readonly permission: number | string
}

const toUser = (r: RawUser): UserRow => ({
  id: Number(r.id),
  username: r.username,
  pubkey: r.pubkey === null ? undefined : new Uint8Array(r.pubkey),
  permission: Number(r.permission)
})

const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

export class UsersRepo extends Effect.Service<UsersRepo>()("server/UsersRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    // every LOGIN runs this: prepared once (Prepared.ts)
    const byName = preparedQuery<RawUser>(sql, "SELECT id, username, pubkey, permission FROM users WHERE username = ?")
    const findByName = (username: string): Effect.Effect<Option.Option<UserRow>, SqlError> =>
      Effect.map(byName([username]), (rows) => Option.map(Option.fromNullable(rows[0]), toUser))

    const keyExists = (der: Uint8Array): Effect.Effect<boolean, SqlError> =>
      Effect.map(sql<{ id: number }>`SELECT id FROM users WHERE pubkey = ${blob(der)}`, (rows) => rows.length > 0)

    const classify = (username: string, der: Uint8Array): Effect.Effect<InsertResult | undefined, SqlError> =>
      Effect.gen(function*() {
        const existing = yield* findByName(username)
        if (Option.isSome(existing)) return existing.value.pubkey === undefined ? "name-deregistered" : "name-taken"
        if (yield* keyExists(der)) return "key-taken"
        return undefined
      })

    /** Registers a user with permission 0; says why not when the name or the key is taken. */
    const insert = Effect.fnUntraced(function*(username: string, der: Uint8Array) {
      const before = yield* classify(username, der)
      if (before !== undefined) return before
      const inserted = yield* sql`INSERT INTO users ${
        sql.insert({ username, pubkey: blob(der), permission: 0, created_at: Date.now() })
      }`.pipe(
        Effect.as("ok" as InsertResult),
        // a concurrent registration won the race: report what the unique constraint protected
        Effect.catchTag("SqlError", (error) =>
          Effect.flatMap(classify(username, der), (why) => why === undefined ? Effect.fail(error) : Effect.succeed(why)))
      )
      return inserted
    })

    /** Clears the user's key: the account can no longer log in, its name can never be registered again. */
    const deregister = Effect.fn("UsersRepo.deregister")(function*(id: number) {
      yield* sql`UPDATE users SET pubkey = NULL, deregistered_at = ${Date.now()} WHERE id = ${id}`
    })

    /** Sets a permission level by name; false if no such user. */
    const setPermission = Effect.fn("UsersRepo.setPermission")(function*(username: string, level: number) {
      const user = yield* findByName(username)
      if (Option.isNone(user)) return false
      yield* sql`UPDATE users SET permission = ${level} WHERE id = ${user.value.id}`
      return true
    })

    /** Registered (not deregistered) users, sorted by name; the first `limit` of them if given. */
    const listActive = Effect.fn("UsersRepo.listActive")(function*(limit?: number) {
      const rows = yield* (limit === undefined
        ? sql<{ username: string; permission: number | string }>`
        SELECT username, permission FROM users WHERE pubkey IS NOT NULL ORDER BY username ASC`
        : sql<{ username: string; permission: number | string }>`
        SELECT username, permission FROM users WHERE pubkey IS NOT NULL ORDER BY username ASC LIMIT ${limit}`)
      return rows.map((r) => ({ username: r.username, permission: Number(r.permission) }))
    })

    /** Every account, deregistered ones included (operator CLI). */
    const listAll = Effect.fn("UsersRepo.listAll")(function*() {
      const rows = yield* sql<{ username: string; permission: number | string; deregistered: number | string }>`
        SELECT username, permission, CASE WHEN pubkey IS NULL THEN 1 ELSE 0 END AS deregistered
        FROM users ORDER BY username ASC`
      return rows.map((r) => ({
        username: r.username,
        permission: Number(r.permission),
        deregistered: Number(r.deregistered) === 1
      }))
    })

    return { findByName, insert, deregister, setPermission, listActive, listAll } as const
  })
}) {}
