/** UNSUB: ends the connection's subscription to a hook (or to all of them). */
import { ErrorCode, HookType, type Packet } from "@gochat/protocol"
import { Effect } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import { type ActionHandler, decodeAs } from "./context.js"

export const unsub = (): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { hook } = yield* decodeAs(packet, "Unsub")
      if (hook === HookType.ALL) conn.hooks.clear()
      else {
        if (!conn.hooks.has(hook)) return yield* refuse(ErrorCode.NOTFOUND, "not subscribed")
        conn.hooks.delete(hook)
      }
      conn.send(okFrame(packet.id))
    })
})
