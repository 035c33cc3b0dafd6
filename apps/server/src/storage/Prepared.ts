/**
 * Queries run often enough that the statement pipeline's cost matters (a login's user lookup): the SQL
 * text is fixed, its `?` parameters are passed per call. On the SQLite worker client (SqliteWorkerClient)
 * the read is prepared once and runs at once on the main thread's reader; on any other SqlClient (MariaDB)
 * it is `sql.unsafe`, a prepared statement of the driver. Only for reads outside transactions.
 */
import type { SqlClient } from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { Effect } from "effect"

/** The property a client offering prepared reads has (SqliteWorkerClient). */
export const FastQuery: unique symbol = Symbol.for("gochat/storage/FastQuery")

type FastQueryOf = (sql: string) => (params: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<any>, SqlError>

/** A read with fixed text; call the result with the parameters. */
export const preparedQuery = <Row extends object>(
  sql: SqlClient,
  text: string
): (params: ReadonlyArray<unknown>) => Effect.Effect<ReadonlyArray<Row>, SqlError> => {
  const fast = (sql as unknown as { readonly [FastQuery]?: FastQueryOf })[FastQuery]
  if (fast !== undefined) return fast(text)
  return (params) => sql.unsafe<Row>(text, params)
}
