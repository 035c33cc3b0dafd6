import { Effect } from "effect"
import { helpText } from "./registry.js"
import type { SlashCommand } from "./types.js"

export const help: SlashCommand = {
  name: "help",
  args: [{ name: "command", optional: true, complete: "command" }],
  summary: "list the commands, or explain one",
  help: "Without an argument lists every command; /help <command> explains one. Ctrl-L or F1 shows the keys.",
  run: (ctx, { positional }) => Effect.sync(() => ctx.print(helpText(ctx.commands, positional[0])))
}
