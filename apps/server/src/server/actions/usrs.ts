/** USRS: every active user or the online ones, with or without their permission levels. */
import { ErrorCode, MAX_ARG_CONTENT, type Packet, UsrsType } from "@gochat/protocol"
import { Effect } from "effect"
import type { Connection } from "../Connection.js"
import { usrsFrame } from "../frames.js"
import { refuse } from "../Refusal.js"
import { type ActionContext, type ActionHandler, decodeAs } from "./context.js"

/** Most lines a USRS list can hold (each is at least 1 byte plus LF, in 2045 bytes): the query reads no more. */
const USRS_MAX_LINES = Math.floor((MAX_ARG_CONTENT + 1) / 2)

export const usrs = ({ users, presence }: ActionContext): ActionHandler => ({
  gate: "session",
  run: (conn: Connection, packet: Packet) =>
    Effect.gen(function*() {
      const { kind } = yield* decodeAs(packet, "Usrs")
      let lines: Array<string>
      switch (kind) {
        case UsrsType.ALL:
          lines = (yield* users.listActive(USRS_MAX_LINES)).map((u) => u.username)
          break
        case UsrsType.ALLPERMS:
          lines = (yield* users.listActive(USRS_MAX_LINES)).map((u) => `${u.username} ${u.permission}`)
          break
        case UsrsType.ONLINE:
          lines = presence.onlineUsers().map((u) => u.name)
          break
        default:
          lines = presence.onlineUsers().map((u) => `${u.name} ${u.permission}`)
      }
      if (lines.length === 0) return yield* refuse(ErrorCode.OPTION, "empty list")
      // one argument holds at most 2045 bytes: keep whole lines that fit
      let list = ""
      for (const line of lines) {
        const next = list.length === 0 ? line : `${list}\n${line}`
        if (Buffer.byteLength(next) > MAX_ARG_CONTENT) break
        list = next
      }
      conn.send(usrsFrame(packet.id, list))
    })
})
