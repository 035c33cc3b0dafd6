import { afterEach, describe, expect, it } from "vitest"
import { BINDINGS } from "../../src/tui/keys/bindings.js"
import { type Harness, KEYS, renderTui } from "./harness.js"

const SERVER = { name: "test", address: "127.0.0.1", port: 9037, tls: false }

let tui: Harness | undefined
afterEach(async () => {
  await tui?.dispose()
  tui = undefined
})

/** Connects to `test`, registers and logs in `alice` through the popups. */
const loginAlice = async (h: Harness) => {
  await h.type(KEYS.shiftDown)
  await h.waitFor("test / Default")
  await h.enter("/connect")
  await h.waitFor("Welcome to the test server")
  await h.enter("/register alice")
  await h.waitFor("Enter a password...")
  await h.type("secret")
  await h.waitFor("******")
  await h.type(KEYS.enter)
  await h.waitFor("Repeat your password...")
  await h.type("secret", KEYS.enter)
  await h.waitFor("successfully registered")
  await h.enter("/login alice")
  await h.waitFor("Enter the password of alice...")
  await h.type("secret", KEYS.enter)
  await h.waitFor("(alice) >")
}

describe("layout", () => {
  it("draws lists, messages, users and input in 80x24", async () => {
    tui = await renderTui({ servers: [SERVER], size: { columns: 80, rows: 24 } })
    const frame = await tui.waitFor("(2) test")
    const lines = frame.split("\n")
    expect(lines.length).toBeLessThanOrEqual(23)
    expect(lines.every((l) => l.length <= 80)).toBe(true)
    expect(frame).toContain("Buffers")
    expect(frame).toContain("Servers")
    expect(frame).toContain("(1) Local")
    expect(frame).toContain("(1) System")
    expect(frame).toContain("Local / System")
    expect(frame).toContain("Write here...")
    expect(frame).not.toContain("Users")
    await tui.type(KEYS.ctrl("u"))
    await tui.waitFor("(Empty)")
    await tui.type(KEYS.ctrl("b"))
    await tui.waitGone("Buffers")
  })

  it("shows every key binding in the help overlay (Ctrl-L and F1)", async () => {
    tui = await renderTui({ size: { columns: 100, rows: 200 } })
    await tui.type(KEYS.ctrl("l"))
    const frame = await tui.waitFor("Help (")
    for (const b of BINDINGS) expect(frame, b.keys).toContain(b.keys.split(" / ")[0])
    expect(frame).toContain("/connect [-noverify] [-noidle]")
    expect(frame).not.toContain("Write here...")
    await tui.type(KEYS.esc)
    await tui.waitFor("Write here...")
    await tui.type(KEYS.f1)
    await tui.waitFor("Help (")
    await tui.type(KEYS.f1)
    await tui.waitGone("Help (")
  })
})

describe("input", () => {
  it("echoes text in a Local scratch buffer and refuses the System buffer", async () => {
    tui = await renderTui()
    await tui.enter("hello")
    await tui.waitFor("performing action on system buffer")
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"))
    await tui.waitFor("Enter buffer name...")
    await tui.type("Notes", KEYS.enter)
    await tui.waitFor("Local / notes")
    await tui.enter("hello there")
    const frame = await tui.waitFor("[You] at")
    expect(frame).toContain("hello there")
    expect(frame).toMatch(/--- \d{4}-\d\d-\d\d ---/)
    // Up recalls the history; Esc clears the line.
    await tui.type(KEYS.up)
    await tui.waitFor("> hello there")
    await tui.type(KEYS.esc)
    await tui.waitFor("Write here...")
  })

  it("reports unknown, empty and malformed commands", async () => {
    tui = await renderTui()
    await tui.enter("/nope")
    await tui.waitFor("Error: invalid command given: /nope")
    await tui.enter("/login")
    await tui.waitFor("Running /login: invalid number of arguments: /login")
    await tui.enter("/version")
    await tui.waitFor("* Client TUI version: test")
  })

  it("completes command names and usernames with Tab", async () => {
    tui = await renderTui()
    await tui.type("/disc", KEYS.tab)
    await tui.waitFor("> /disconnect")
    await tui.type(KEYS.esc, "/s", KEYS.tab)
    await tui.waitFor("/servers  /set  /subscribe")
  })
})

describe("session", () => {
  it("connects, registers and logs in through masked popups, with a spinner", async () => {
    tui = await renderTui({ servers: [SERVER] })
    tui.backend.online.set("test", [
      { name: "alice", permission: 1 },
      { name: "bob", permission: 0 },
      { name: "root", permission: 2 }
    ])
    const release = tui.backend.gate("login")
    await tui.type(KEYS.shiftDown)
    await tui.enter("/connect")
    await tui.waitFor("Welcome to the test server")
    await tui.enter("/register alice")
    await tui.type("secret", KEYS.enter, "secret", KEYS.enter)
    await tui.waitFor("successfully registered")
    await tui.enter("/login alice")
    await tui.type("secret", KEYS.enter)
    await tui.waitFor("logging in as alice...")
    expect(tui.frame()).not.toContain("secret")
    release()
    const frame = await tui.waitFor("[2] root")
    expect(frame).toContain("(alice) >")
    expect(frame.indexOf("[2] root")).toBeLessThan(frame.indexOf("[0] bob"))
    await tui.waitFor("No new messages have been received")
    expect(tui.backend.calls).toContain("subscribe:all")
  })

  it("updates the users panel from login, logout and permission hooks", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await loginAlice(tui)
    tui.backend.emit({ _tag: "UserLogin", server: "test", user: "carol", permission: 0 })
    await tui.waitFor("[0] carol")
    tui.backend.emit({ _tag: "PermissionChanged", server: "test", user: "alice", permission: 2 })
    await tui.waitFor("Your permission level in the server has")
    tui.backend.emit({ _tag: "UserLogout", server: "test", user: "carol" })
    await tui.waitGone("[0] carol")
    tui.backend.emit({ _tag: "DuplicateSession", server: "test", ip: "10.0.0.7" })
    await tui.waitFor("from 10.0.0.7!")
    tui.backend.emit({ _tag: "Shutdown", server: "test", at: Date.now() + 60_000 })
    await tui.waitFor("Server shutdown scheduled at")
    tui.backend.emit({ _tag: "Broadcast", server: "test", sender: "root", stamp: Date.now(), text: "maintenance soon" })
    await tui.waitFor("maintenance soon")
  })

  it("counts unread messages per buffer and marks them when the buffer opens", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await loginAlice(tui)
    const now = Date.now()
    tui.backend.emit({ _tag: "Message", server: "test", sender: "bob", stamp: now, text: "first" })
    tui.backend.emit({ _tag: "Message", server: "test", sender: "bob", stamp: now + 1000, text: "second" })
    let frame = await tui.waitFor("bob [2]")
    expect(frame).toContain(" bob: 2")
    await tui.type(KEYS.alt("2"))
    frame = await tui.waitFor("test / bob")
    expect(frame).toContain("--- UNREAD ---")
    expect(frame.indexOf("--- UNREAD ---")).toBeLessThan(frame.indexOf("first"))
    expect(frame).not.toContain("bob [2]")
    expect(frame).not.toContain(" bob: 2")
    // While viewing it, new messages are not counted.
    tui.backend.emit({ _tag: "Message", server: "test", sender: "bob", stamp: now + 2000, text: "third" })
    frame = await tui.waitFor("third")
    expect(frame).not.toContain("bob [1]")
    await tui.enter("hi bob")
    await tui.waitFor("[You] at")
    expect(tui.backend.sent).toEqual([{ server: "test", peer: "bob", text: "hi bob" }])
  })

  it("warns with a banner when a contact's key changed until /trust", async () => {
    tui = await renderTui({ servers: [SERVER] })
    tui.backend.keyChanges.set("mallory", { pinned: "SHA256:old", offered: "SHA256:new" })
    await loginAlice(tui)
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"))
    await tui.waitFor("Enter the username to talk to...")
    await tui.type("mallory", KEYS.enter)
    await tui.waitFor("WARNING: the key of mallory has changed!")
    await tui.enter("/fingerprint mallory")
    await tui.waitFor("offered now: SHA256:new")
    await tui.enter("/trust mallory")
    await tui.waitFor("now trusting the key of mallory")
    await tui.waitGone("WARNING: the key of mallory")
  })

  it("asks before deleting a buffer and quits with Ctrl-Q", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await loginAlice(tui)
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"), "bob", KEYS.enter)
    await tui.waitFor("This is the beginning of your conversation")
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("x"))
    await tui.waitFor("delete this buffer?")
    await tui.type("y")
    await tui.waitFor("test / Default")
    expect(tui.backend.calls).toContain("closeConversation")
    let quit = false
    void tui.controller.quitted.then(() => (quit = true))
    await tui.type(KEYS.ctrl("q"))
    await (async () => {
      const deadline = Date.now() + 2000
      while (!quit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    })()
    expect(quit).toBe(true)
  })
})
