/**
 * The synchronous hot path, run for every packet before the slow path: KEEP (dropped, it only resets the
 * idle deadline) and MSG (`actions/msg.ts`: relayed to an online user, or pipelined into the offline
 * store). Anything it cannot finish on the spot returns false and goes to `Handlers`.
 */
import { Action, type Packet } from "@gochat/protocol"
import { Effect } from "effect"
import { OfflineMessages } from "../hubs/OfflineMessages.js"
import { Limits } from "../hubs/Limits.js"
import { LocalEndpoints } from "../hubs/LocalEndpoints.js"
import { Presence } from "../hubs/Presence.js"
import { UserCache } from "../storage/UserCache.js"
import { msgHotPath } from "./actions/msg.js"
import type { Connection } from "./Connection.js"

export class Relay extends Effect.Service<Relay>()("server/Relay", {
  effect: Effect.gen(function*() {
    const msg = msgHotPath(yield* LocalEndpoints, yield* Presence, yield* OfflineMessages, yield* UserCache, yield* Limits)

    const hot = (conn: Connection, packet: Packet): boolean => {
      const action = packet.action
      if (action === Action.KEEP) return true
      if (action !== Action.MSG) return false
      return msg(conn, packet)
    }

    return { hot } as const
  })
}) {}
