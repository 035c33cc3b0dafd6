/** DEREG: the logged-in user deletes their own account (the name stays reserved) and is logged out. */
import type { Packet } from "@gochat/protocol"
import { Effect } from "effect"
import type { OnlineUser } from "../../hubs/Presence.js"
import { type Connection, okFrame } from "../Connection.js"
import { type ActionContext, type ActionHandler, decodeAs } from "./context.js"

export const dereg = ({ users, sessions, accountChanged }: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet, user: OnlineUser) =>
    Effect.gen(function*() {
      yield* decodeAs(packet, "Dereg")
      yield* users.deregister(user.id)
      yield* accountChanged(user.name)
      yield* sessions.logout(conn, { dropToken: true })
      yield* Effect.logInfo("deregistered").pipe(Effect.annotateLogs({ user: user.name }))
      conn.send(okFrame(packet.id))
    })
})
