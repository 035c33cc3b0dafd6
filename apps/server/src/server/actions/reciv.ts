/** RECIV: the catch-up of stored messages, written straight into the connection one chunk at a time. */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { Effect } from "effect"
import type { CatchUpSink } from "../../hubs/OfflineMessages.js"
import type { OnlineUser } from "../../hubs/Presence.js"
import { type Connection, okFrame } from "../Connection.js"
import { recivFrames } from "../frames.js"
import { refuse } from "../Refusal.js"
import { type ActionContext, type ActionHandler, decodeAs } from "./context.js"

/** A catch-up writes straight into the connection, one buffer of RECIV frames per chunk. */
const catchUpSink = (conn: Connection): CatchUpSink => ({
  write: (chunk, written) => conn.sendConfirmed([recivFrames(chunk)], written)
})

export const reciv = ({ offline }: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet, user: OnlineUser) =>
    Effect.gen(function*() {
      yield* decodeAs(packet, "RecivRequest")
      // the first page doubles as the emptiness check (one query less per catch-up)
      const first = yield* offline.firstPage(user.id)
      if (first.length === 0) return yield* refuse(ErrorCode.EMPTY, "no stored messages")
      conn.send(okFrame(packet.id))
      // the OK is the only reply: a later failure is logged (the undelivered rest stays stored)
      const delivered = yield* offline.drain(user.id, catchUpSink(conn), first).pipe(
        Effect.catchTags({
          CatchUpStopped: (e) => Effect.as(Effect.logDebug("catch-up stopped: the connection closed", e.reason), -1),
          SqlError: (e) => Effect.as(Effect.logError("catch-up stopped: database error", e.message, e.cause), -1)
        })
      )
      yield* Effect.logDebug("catch-up").pipe(Effect.annotateLogs({ user: user.name, delivered }))
    })
})
