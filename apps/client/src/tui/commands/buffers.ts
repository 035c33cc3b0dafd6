import { Effect } from "effect"
import { findServer } from "../state/reducer.js"
import type { SlashCommand } from "./types.js"

export const buffers: SlashCommand = {
  name: "buffers",
  args: [],
  summary: "list the buffers of the current server",
  help: "Lists the buffers of the current server with their numbers; hidden ones are marked.",
  run: (ctx) =>
    Effect.sync(() => {
      const server = findServer(ctx.state(), ctx.server.name) ?? ctx.server
      const list = server.buffers.filter((b) => !b.system)
      if (list.length === 0) return ctx.print("no buffers to show")
      ctx.print(["showing active server buffers:", ...list.map((b, i) => `${i + 1}: ${b.name}${b.hidden ? " - Hidden" : ""}`)].join("\n"))
    })
}
