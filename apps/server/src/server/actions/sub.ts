/** SUB: subscribes the connection to a hook (or to all of them). */
import { ErrorCode, HookType, type Packet } from "@gochat/protocol"
import { Effect } from "effect"
import { type Connection, okFrame } from "../Connection.js"
import { refuse } from "../Refusal.js"
import { type ActionContext, type ActionHandler, decodeAs } from "./context.js"

/** Every hook type a client can subscribe to (what HOOK_ALL stands for). */
export const ALL_HOOKS = [HookType.NEWLOGIN, HookType.NEWLOGOUT, HookType.DUPSESS, HookType.PERMSCHG] as const

export const sub = ({ local }: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { hook } = yield* decodeAs(packet, "Sub")
      local.listening(conn)
      if (hook === HookType.ALL) {
        for (const h of ALL_HOOKS) conn.hooks.add(h)
      } else {
        if (conn.hooks.has(hook)) return yield* refuse(ErrorCode.EXISTS, "already subscribed")
        conn.hooks.add(hook)
      }
      conn.send(okFrame(packet.id))
    })
})
