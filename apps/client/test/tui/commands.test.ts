import { describe, expect, it } from "vitest"
import { COMMANDS } from "../../src/tui/commands/index.js"
import { complete, helpText, parse, usage } from "../../src/tui/commands/registry.js"

const ORIGINAL = [
  "connect",
  "disconnect",
  "register",
  "login",
  "logout",
  "deregister",
  "users",
  "subscribe",
  "unsubscribe",
  "admin",
  "import",
  "export",
  "recover",
  "set",
  "config",
  "servers",
  "buffers",
  "clear",
  "version",
  "help",
  "trust",
  "fingerprint"
]

const sample = (name: string) => {
  const command = COMMANDS.find((c) => c.name === name)!
  const required = command.args.filter((a) => !a.optional)
  return { command, line: [`/${name}`, ...required.map((a, i) => (a.rest ? "some text" : `arg${i}`))].join(" ") }
}

describe("slash command registry", () => {
  it("has every command of the original plus /trust and /fingerprint, each with help", () => {
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...ORIGINAL].sort())
    for (const c of COMMANDS) {
      expect(c.summary.length, c.name).toBeGreaterThan(5)
      expect(c.help.length, c.name).toBeGreaterThan(10)
      expect(helpText(COMMANDS, c.name)).toContain(usage(c))
      expect(helpText(COMMANDS, `/${c.name}`)).toContain(c.help)
      expect(helpText(COMMANDS)).toContain(usage(c))
    }
  })

  it.each(ORIGINAL)("parses /%s with its arguments and rejects a wrong count", (name) => {
    const { command, line } = sample(name)
    const ok = parse(line, COMMANDS)
    expect(ok._tag).toBe("Ok")
    if (ok._tag === "Ok") expect(ok.args.positional.length).toBe(command.args.filter((a) => !a.optional).length)
    const required = command.args.filter((a) => !a.optional).length
    if (required > 0) {
      const bad = parse(`/${name}`, COMMANDS)
      expect(bad).toMatchObject({ _tag: "Invalid", message: `invalid number of arguments: ${usage(command)}` })
    }
    if (!command.args.some((a) => a.rest)) {
      const extra = parse(`${line} ${"x ".repeat(command.args.length + 1)}`, COMMANDS)
      expect(extra._tag).toBe("Invalid")
    }
  })

  it("shows usages like the original", () => {
    const byName = (n: string) => usage(COMMANDS.find((c) => c.name === n)!)
    expect(byName("connect")).toBe("/connect [-noverify] [-noidle]")
    expect(byName("users")).toBe("/users <remote|local> <all|online|server> [-perms]")
    expect(byName("admin")).toBe("/admin <operation> [arguments...]")
    expect(byName("help")).toBe("/help [command]")
  })

  it("takes flags anywhere, case-insensitively, and keeps free text whole", () => {
    expect(parse("/connect -NOIDLE -noverify", COMMANDS)).toMatchObject({ _tag: "Ok", args: { positional: [] } })
    const c = parse("/connect -noidle", COMMANDS)
    expect(c._tag === "Ok" && [...c.args.flags]).toEqual(["-noidle"])
    const u = parse("/users -perms remote online", COMMANDS)
    expect(u).toMatchObject({ _tag: "Ok", args: { positional: ["remote", "online"] } })
    const a = parse("/admin broadcast  hello   there -perms ", COMMANDS)
    expect(a).toMatchObject({ _tag: "Ok", args: { positional: ["broadcast", "hello   there -perms"] } })
    expect(parse("/LOGIN alice", COMMANDS)).toMatchObject({ _tag: "Ok", args: { positional: ["alice"] } })
  })

  it("tells empty, unknown and non-command lines apart", () => {
    expect(parse("/", COMMANDS)._tag).toBe("Empty")
    expect(parse("/ login", COMMANDS)._tag).toBe("Empty")
    expect(parse("/frobnicate", COMMANDS)).toEqual({ _tag: "Unknown", name: "frobnicate" })
    expect(parse("hello /login", COMMANDS)._tag).toBe("NotCommand")
  })
})

describe("completion", () => {
  const sources = { usernames: ["alice", "albert", "bob"] }
  it("completes command names", () => {
    expect(complete("/reg", COMMANDS, sources)).toMatchObject({ line: "/register " })
    expect(complete("/s", COMMANDS, sources).candidates).toEqual(["/servers", "/set", "/subscribe"])
    expect(complete("/un", COMMANDS, sources).line).toBe("/unsubscribe ")
  })
  it("completes usernames, hooks, options and flags", () => {
    expect(complete("/login b", COMMANDS, sources).line).toBe("/login bob ")
    expect(complete("/login al", COMMANDS, sources)).toEqual({ line: "/login al", candidates: ["albert", "alice"] })
    expect(complete("/login ali", COMMANDS, sources).line).toBe("/login alice ")
    expect(complete("/subscribe new_lo", COMMANDS, sources).candidates).toEqual(["new_login", "new_logout"])
    expect(complete("/users re", COMMANDS, sources).line).toBe("/users remote ")
    expect(complete("/users remote on", COMMANDS, sources).line).toBe("/users remote online ")
    expect(complete("/users remote online -p", COMMANDS, sources).line).toBe("/users remote online -perms ")
    expect(complete("/admin ki", COMMANDS, sources).line).toBe("/admin kick ")
    expect(complete("/admin kick bo", COMMANDS, sources).line).toBe("/admin kick bob ")
    expect(complete("/set tui.s", COMMANDS, sources).line).toBe("/set TUI.Sidebar.Width ")
    expect(complete("/help con", COMMANDS, sources).candidates).toEqual(["config", "connect"])
    expect(complete("hi b", COMMANDS, sources).line).toBe("hi bob ")
    expect(complete("/logout x", COMMANDS, sources).candidates).toEqual([])
  })
})
