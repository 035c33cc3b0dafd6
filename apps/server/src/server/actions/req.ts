/** REQ: a user's public key and permission level. */
import type { Packet } from "@gochat/protocol"
import { publicKeyToPem } from "@gochat/crypto"
import { Effect } from "effect"
import type { Connection } from "../Connection.js"
import { reqFrame } from "../frames.js"
import { accountName, type ActionContext, type ActionHandler, decodeAs } from "./context.js"

export const req = (ctx: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const m = yield* decodeAs(packet, "ReqUser")
      const { row, key } = yield* ctx.loadUser(accountName(m.username))
      // the stored level, as the original (an operator's change shows before the user logs in again)
      conn.send(reqFrame(packet.id, row.username, publicKeyToPem(key), row.permission))
    })
})
