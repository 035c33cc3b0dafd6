import { Effect } from "effect"
import type { SlashCommand } from "./types.js"

export const servers: SlashCommand = {
  name: "servers",
  args: [],
  summary: "list the stored servers",
  help: "Lists every stored server with its address; hidden ones are marked.",
  run: (ctx) =>
    Effect.sync(() => {
      const remote = ctx.state().servers.filter((s) => !s.local)
      if (remote.length === 0) return ctx.print("no servers stored yet: add one with Ctrl-S then Ctrl-N")
      ctx.print(
        [
          "showing all servers:",
          ...remote.map((s) => `- ${s.name} (${s.address}:${s.port}${s.tls ? ", TLS" : ""})${s.hidden ? " - Hidden" : ""}`)
        ].join("\n")
      )
    })
}
