import { Effect } from "effect"
import { findServer } from "../state/reducer.js"
import type { SlashCommand } from "./types.js"

export const config: SlashCommand = {
  name: "config",
  args: [],
  summary: "show the settings /set can change",
  help: "Lists the TUI settings and, on a remote server, the stored server settings.",
  run: (ctx) =>
    Effect.sync(() => {
      const state = ctx.state()
      const server = findServer(state, ctx.server.name) ?? ctx.server
      const lines = [
        "Showing configuration options:",
        `- TUI.Sidebar.Width = ${state.layout.sidebarWidth}`,
        `- TUI.Userlist.Width = ${state.layout.usersWidth}`,
        `- TUI.Verbose = ${state.verbose}`
      ]
      if (!server.local)
        lines.push(
          `- Server.Name = ${server.name}`,
          `- Server.Address = ${server.address}`,
          `- Server.Port = ${server.port}`,
          `- Server.TLS = ${server.tls}`
        )
      ctx.print(lines.join("\n"))
    })
}
