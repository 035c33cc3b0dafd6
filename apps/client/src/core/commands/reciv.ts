/**
 * RECIV: ask for the messages the server kept while we were offline. They arrive as
 * MessageReceived events (stored like live ones); `empty` says there were none.
 */
import { Action, ErrorCode } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"
import type { ServerError } from "../errors.js"

export const reciv = Effect.fn("commands.reciv")(function*() {
  const client = yield* Client
  yield* client.session
  return yield* client.connection.request({ action: Action.RECIV }).pipe(
    Effect.as({ empty: false }),
    Effect.catchIf(
      (e): e is ServerError => e._tag === "ServerError" && e.code === ErrorCode.EMPTY,
      () => Effect.succeed({ empty: true })
    )
  )
})
