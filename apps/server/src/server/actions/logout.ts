/** LOGOUT: ends the session, or cancels a pending verification (ERR_NOSESS when there is neither). */
import { ErrorCode, type Packet } from "@gochat/protocol"
import { Effect } from "effect"
import type { OnlineUser } from "../../hubs/Presence.js"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import type { ActionContext, ActionHandler } from "./context.js"

export const logout = ({ sessions, verifications }: ActionContext): ActionHandler => ({
  gate: "any",
  run: (conn: Connection, packet: Packet, user: OnlineUser | undefined) =>
    Effect.gen(function*() {
      if (user === undefined && !verifications.hasPending(conn.id)) return yield* refuse(ErrorCode.NOSESS)
      yield* sessions.logout(conn)
      conn.send(okFrame(packet.id))
    })
})
