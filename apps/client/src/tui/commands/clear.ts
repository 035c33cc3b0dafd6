import { Effect } from "effect"
import * as List from "../state/messageList.js"
import { findServer } from "../state/reducer.js"
import type { SlashCommand } from "./types.js"

export const clear: SlashCommand = {
  name: "clear",
  args: [],
  summary: "remove system messages from this buffer",
  help: "Removes every System message from the current buffer; conversation messages stay.",
  run: (ctx) =>
    Effect.sync(() => {
      const buffer = findServer(ctx.state(), ctx.server.name)?.buffers.find((b) => b.name === ctx.buffer.name)
      const count = buffer === undefined ? 0 : List.count(buffer.messages, (m) => m.kind === "system")
      ctx.dispatch({ _tag: "ClearSystem", server: ctx.server.name, name: ctx.buffer.name })
      ctx.dispatch({ _tag: "ShowError", text: `cleared ${count} system messages`, info: true })
    })
}
