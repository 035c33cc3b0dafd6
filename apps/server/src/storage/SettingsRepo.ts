/**
 * Small persistent server settings (the MOTD set by ADMIN_MOTD).
 */
import { SqlClient } from "@effect/sql"
import { Effect, Option } from "effect"

export class SettingsRepo extends Effect.Service<SettingsRepo>()("server/SettingsRepo", {
  effect: Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient

    const get = Effect.fn("SettingsRepo.get")(function*(name: string) {
      const rows = yield* sql<{ value: string }>`SELECT value FROM settings WHERE name = ${name}`
      return Option.map(Option.fromNullable(rows[0]), (r) => r.value)
    })

    const set = Effect.fn("SettingsRepo.set")(function*(name: string, value: string) {
      yield* sql.onDialectOrElse({
        mysql: () =>
          sql`INSERT INTO settings (name, value) VALUES (${name}, ${value})
              ON DUPLICATE KEY UPDATE value = VALUES(value)`,
        orElse: () =>
          sql`INSERT INTO settings (name, value) VALUES (${name}, ${value})
              ON CONFLICT (name) DO UPDATE SET value = excluded.value`
      })
    })

    return { get, set } as const
  })
}) {}
