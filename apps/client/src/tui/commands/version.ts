import { Effect } from "effect"
import { PROTOCOL_VERSION } from "@gochat/protocol"
import type { SlashCommand } from "./types.js"

export const version: SlashCommand = {
  name: "version",
  args: [],
  summary: "show the client and protocol versions",
  help: "Shows the version of this client and of the protocol it speaks.",
  run: (ctx) => Effect.sync(() => ctx.print(`* Client TUI version: ${ctx.backend.version}\n* Protocol version: v${PROTOCOL_VERSION}`))
}
