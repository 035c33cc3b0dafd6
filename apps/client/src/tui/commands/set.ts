import { Effect } from "effect"
import { call, fail } from "./helpers.js"
import type { CommandContext, SlashCommand } from "./types.js"

const TUI_OPTIONS = ["TUI.Sidebar.Width", "TUI.Userlist.Width", "TUI.Verbose"] as const
const SERVER_OPTIONS = ["Server.Name", "Server.Address", "Server.Port", "Server.TLS"] as const
export const SET_OPTIONS: ReadonlyArray<string> = [...TUI_OPTIONS, ...SERVER_OPTIONS]

const width = (value: string, min: number, max: number) =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
    ? Effect.succeed(Number(value))
    : fail(`the width must be a number from ${min} to ${max}`)

const bool = (value: string) => {
  const v = value.toLowerCase()
  return v === "true" || v === "false" ? Effect.succeed(v === "true") : fail("the value must be true or false")
}

const setServer = (ctx: CommandContext, option: string, value: string) =>
  Effect.gen(function* () {
    if (ctx.server.local) return yield* fail("performing action on local server")
    if (ctx.server.connected) return yield* fail("you must be disconnected to change the server")
    let patch: { name?: string; address?: string; port?: number; tls?: boolean }
    if (option === "Server.Name") {
      if (ctx.state().servers.some((s) => s.name === value)) return yield* fail(`a server called ${value} already exists`)
      patch = { name: value }
    } else if (option === "Server.Address") patch = { address: value }
    else if (option === "Server.Port") {
      if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65535) return yield* fail("the port must be a number from 1 to 65535")
      patch = { port: Number(value) }
    } else patch = { tls: yield* bool(value) }
    const updated = yield* call(ctx.backend.updateServer(ctx.server.name, patch))
    ctx.dispatch({ _tag: "ServerUpdated", name: ctx.server.name, server: updated })
  })

export const set: SlashCommand = {
  name: "set",
  args: [{ name: "option", complete: SET_OPTIONS }, { name: "value", rest: true }],
  summary: "change a setting (see /config)",
  help:
    "TUI.Sidebar.Width and TUI.Userlist.Width (cells) and TUI.Verbose (true/false) last until you quit.\n" +
    "Server.Name, Server.Address, Server.Port and Server.TLS are stored; change them while disconnected.",
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      const option = SET_OPTIONS.find((o) => o.toLowerCase() === positional[0].toLowerCase())
      const value = positional[1].trim()
      if (option === undefined) return yield* fail(`unknown option ${positional[0]}: use one of ${SET_OPTIONS.join(", ")}`)
      if (option === "TUI.Sidebar.Width") ctx.dispatch({ _tag: "SetLayout", layout: { sidebarWidth: yield* width(value, 10, 40) } })
      else if (option === "TUI.Userlist.Width") ctx.dispatch({ _tag: "SetLayout", layout: { usersWidth: yield* width(value, 10, 40) } })
      else if (option === "TUI.Verbose") ctx.dispatch({ _tag: "SetVerbose", verbose: yield* bool(value) })
      else yield* setServer(ctx, option, value)
      ctx.print(`successfully changed ${option} to ${value}`)
    })
}
