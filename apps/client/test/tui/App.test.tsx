import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { BINDINGS } from "../../src/tui/keys/bindings.js"
import { MAX_INPUT } from "../../src/tui/hooks/useLineEditor.js"
import { PASTE_END, PASTE_START } from "../../src/tui/keys/parseKey.js"
import { type Harness, KEYS, loginAlice, renderTui, SERVER } from "./harness.js"

let tui: Harness | undefined
afterEach(async () => {
  await tui?.dispose()
  tui = undefined
})

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

  it("edits the line with the cursor keys", async () => {
    tui = await renderTui()
    await tui.type("wrld", KEYS.home, "hello ", "\x1b[F", KEYS.backspace, "\x1b[D", "\x1b[D", "o")
    await tui.waitFor("> hello worl")
    await tui.type(KEYS.ctrl("w"))
    await tui.waitFor("> hello rl")
    await tui.type(KEYS.ctrl("a"), "\x1b[3~")
    await tui.waitFor("> ello rl")
    await tui.type(KEYS.alt("\r"), "x")
    await tui.waitFor("> ↵xello rl")
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
    frame = await tui.waitFor("[You] at")
    // The marker stays before the first message that was unread.
    expect(frame.indexOf("--- UNREAD ---")).toBeLessThan(frame.indexOf("first"))
    expect(frame.indexOf("first")).toBeLessThan(frame.indexOf("hi bob"))
    expect(tui.backend.sent).toEqual([{ server: "test", peer: "bob", text: "hi bob" }])
  })

  it("reopens stored conversations with their history at login", async () => {
    tui = await renderTui({ servers: [SERVER] })
    const t = Date.now() - 86_400_000
    tui.backend.stored.set("test/bob", [
      { peer: "bob", outgoing: true, stamp: t, text: "see you tomorrow" },
      { peer: "bob", outgoing: false, stamp: t + 60_000, text: "bye" }
    ])
    await loginAlice(tui)
    await tui.waitFor("(2) bob")
    await tui.type(KEYS.alt("2"))
    const frame = await tui.waitFor("see you tomorrow")
    expect(frame).toContain("[bob] at")
    // A first message from someone else opens their buffer and loads what is stored.
    tui.backend.stored.set("test/carol", [{ peer: "carol", outgoing: false, stamp: t, text: "old news" }])
    tui.backend.emit({ _tag: "Message", server: "test", sender: "carol", stamp: Date.now(), text: "fresh news" })
    await tui.waitFor("carol [1]")
    await tui.type(KEYS.alt("3"))
    await tui.waitFor("old news")
    await tui.waitFor("fresh news")
  })

  it("warns with a banner when a contact's key changed until /trust", async () => {
    tui = await renderTui({ servers: [SERVER] })
    tui.backend.keyChanges.set("mallory", { pinned: "SHA256:old", offered: "SHA256:new" })
    await loginAlice(tui)
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"))
    await tui.waitFor("Enter the username to talk to...")
    await tui.type("mallory", KEYS.enter)
    await tui.waitFor("WARNING: the key of mallory has changed!")
    // A refused message is not shown as sent; its text stays readable in the failure line.
    await tui.enter("psst")
    const refused = await tui.waitFor("Not sent: psst")
    expect(refused).not.toContain("[You]")
    await tui.enter("/fingerprint mallory")
    await tui.waitFor("offered now: SHA256:new")
    await tui.enter("/trust mallory")
    await tui.waitFor("now trusting the key of mallory")
    await tui.waitGone("WARNING: the key of mallory")
  })

  it("shows the banner as soon as the core reports a changed key, once per change", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await loginAlice(tui)
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"), "bob", KEYS.enter)
    await tui.waitFor("This is the beginning of your conversation")
    const change = { pinned: "SHA256:old", offered: "SHA256:new" }
    tui.backend.emit({ _tag: "KeyChanged", server: "test", user: "bob", change })
    await tui.waitFor("WARNING: the key of bob has changed!")
    // The same change reported again (another REQ) adds no second line.
    tui.backend.emit({ _tag: "KeyChanged", server: "test", user: "bob", change })
    tui.backend.emit({ _tag: "Message", server: "test", sender: "bob", stamp: Date.now(), text: "sync point" })
    const frame = await tui.waitFor("sync point")
    expect(frame.split("offers a different key for").length - 1).toBe(1)
  })

  it("asks before deleting a buffer and quits with Ctrl-Q", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await loginAlice(tui)
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"), "bob", KEYS.enter)
    await tui.waitFor("This is the beginning of your conversation")
    await tui.type(KEYS.ctrl("k"), KEYS.ctrl("x"))
    await tui.waitFor("Close the conversation with bob?")
    await tui.type("y")
    await tui.waitFor("test / Default")
    expect(tui.backend.calls).toContain("closeConversation")
    let quit = false
    void tui.controller.quitted.then(() => (quit = true))
    await tui.type(KEYS.ctrl("q"))
    await (async () => {
      const deadline = Date.now() + 5000
      while (!quit && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
    })()
    expect(quit).toBe(true)
  })
})

describe("confirmations", () => {
  it("Enter on deleting a server answers No, and the question says so", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await tui.type(KEYS.shiftDown)
    await tui.waitFor("test / Default")
    await tui.type(KEYS.ctrl("s"), KEYS.ctrl("x"))
    const frame = await tui.waitFor("delete this server?")
    expect(frame).toContain("Enter: no")
    await tui.type(KEYS.enter)
    await tui.waitGone("delete this server?")
    expect(tui.backend.calls).not.toContain("deleteServer")
    expect(tui.frame()).toContain("(2) test")
    // y still deletes.
    await tui.type(KEYS.ctrl("s"), KEYS.ctrl("x"))
    await tui.waitFor("delete this server?")
    await tui.type("y")
    await tui.waitGone("(2) test")
    expect(tui.backend.calls).toContain("deleteServer")
  })

  it("Enter on the TLS question of a new server answers Yes, and says so", async () => {
    tui = await renderTui()
    await tui.type(KEYS.ctrl("s"), KEYS.ctrl("n"))
    await tui.waitFor("Enter server name...")
    await tui.enter("secure")
    await tui.waitFor("address and port")
    await tui.enter("example.org:9037")
    const frame = await tui.waitFor("Does this server use TLS?")
    expect(frame).toContain("Enter: yes")
    await tui.type(KEYS.enter)
    await tui.waitFor("secure / Default")
    expect(await Effect.runPromise(tui.backend.servers)).toEqual([{ name: "secure", address: "example.org", port: 9037, tls: true }])
  })
})

describe("paste", () => {
  const bob = async (h: Harness) => {
    await loginAlice(h)
    await h.type(KEYS.ctrl("k"), KEYS.ctrl("n"), "bob", KEYS.enter)
    await h.waitFor("This is the beginning of your conversation")
  }

  it("puts a multi-line paste into the input as lines, sent as one message by Enter", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await bob(tui)
    await tui.type(`${PASTE_START}line one\r\nline two\rline three\r${PASTE_END}`)
    await tui.waitFor("line one↵line two↵line three")
    expect(tui.backend.sent).toEqual([])
    await tui.type(KEYS.enter)
    await tui.waitFor("line three")
    expect(tui.backend.sent.map((m) => m.text)).toEqual(["line one\nline two\nline three"])
  })

  it("treats a read with several lines as a paste in terminals without bracketed paste", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await bob(tui)
    await tui.type("first\rsecond\r")
    await tui.waitFor("first↵second")
    expect(tui.backend.sent).toEqual([])
  })

  it("refuses an over-long paste with a warning and keeps the input as it was", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await bob(tui)
    await tui.type("draft ")
    await tui.type(`${PASTE_START}${"x".repeat(MAX_INPUT)}${PASTE_END}`)
    await tui.waitFor("the paste is too long for the input")
    expect(tui.frame()).toContain("draft")
    expect(tui.frame()).not.toContain("xxxx")
  })

  it("sends lines entered in quick succession in order, dropping none", async () => {
    tui = await renderTui({ servers: [SERVER] })
    await bob(tui)
    const lines = Array.from({ length: 8 }, (_, i) => `quick ${i}`)
    await tui.type(...lines.flatMap((l) => [l, KEYS.enter]))
    await tui.waitFor("quick 7")
    expect(tui.backend.sent.map((m) => m.text)).toEqual(lines)
    expect(tui.frame()).not.toContain("too fast")
  })
})

describe("navigation", () => {
  it("jumps with the Ctrl-G switcher, cycles buffers and scrolls back with PageUp", async () => {
    tui = await renderTui({ size: { columns: 100, rows: 24 } })
    for (const name of ["alpha", "beta"]) {
      await tui.type(KEYS.ctrl("k"), KEYS.ctrl("n"))
      await tui.waitFor("Enter buffer name...")
      await tui.type(name, KEYS.enter)
      await tui.waitFor(`Local / ${name}`)
    }
    await tui.type(KEYS.ctrl("g"))
    await tui.waitFor("Go to...")
    await tui.type("al", KEYS.tab)
    await tui.waitFor("> alpha")
    await tui.type(KEYS.enter)
    await tui.waitFor("Local / alpha")
    await tui.type(KEYS.altDown)
    await tui.waitFor("Local / beta")
    await tui.type(KEYS.altUp, KEYS.altUp)
    await tui.waitFor("Local / System")
    for (let i = 1; i <= 30; i++) tui.controller.dispatch({ _tag: "Sent", server: "Local", buffer: "System", text: `line ${i}`, stamp: Date.now() })
    await tui.waitFor("line 30")
    await tui.type(KEYS.pageUp)
    const back = await tui.waitFor("lines back")
    expect(back).not.toContain("line 30")
    await tui.type(KEYS.pageDown)
    await tui.waitFor("line 30")
    await tui.waitGone("lines back")
  })
})

describe("verbose", () => {
  it("shows command steps and, with the Debug buffer, packet dumps", async () => {
    tui = await renderTui({ servers: [SERVER], verbose: true, debugBuffer: true })
    await tui.waitFor("(2) Debug")
    await tui.type(KEYS.shiftDown)
    await tui.enter("/connect")
    await tui.waitFor("attempting to connect...")
    tui.backend.emit({ _tag: "Packet", server: "test", direction: "sent", text: "LOGIN id 5 [alice]" })
    await tui.type(KEYS.shiftUp, KEYS.alt("2"))
    await tui.waitFor("Local / Debug")
    await tui.waitFor("test: packet sent")
    await tui.waitFor("LOGIN id 5 [alice]")
  })
})

describe("commands", () => {
  it("run against the backend and print readable results", async () => {
    tui = await renderTui({ servers: [SERVER], size: { columns: 140, rows: 40 } })
    await loginAlice(tui)
    tui.backend.online.set("test", [{ name: "alice", permission: 1 }])
    await tui.enter("/users remote online -perms")
    await tui.waitFor("Showing remote online users with permissions:")
    await tui.waitFor("- alice | permission 1")
    await tui.enter("/users sideways all")
    await tui.waitFor("Running /users: unknown users option provided")
    await tui.enter("/subscribe new_login")
    await tui.waitFor("successfully subscribed to new_login!")
    await tui.enter("/unsubscribe bogus")
    await tui.waitFor("Running /unsubscribe: invalid hook provided")
    await tui.enter("/admin setperms bob 300")
    await tui.waitFor("the permission level must be a number from 0 to 255")
    await tui.enter("/admin broadcast hello   everyone")
    await tui.waitFor("admin operation broadcast sent successfully")
    expect(tui.backend.calls).toContain("admin:broadcast:hello   everyone")
    await tui.enter("/set TUI.Sidebar.Width 25")
    await tui.waitFor("successfully changed TUI.Sidebar.Width to 25")
    await tui.enter("/set Server.Port 9999")
    await tui.waitFor("Running /set: you must be disconnected to change the server")
    await tui.enter("/config")
    await tui.waitFor("- TUI.Sidebar.Width = 25")
    await tui.waitFor("- Server.Address = 127.0.0.1")
    await tui.enter("/servers")
    await tui.waitFor("- test (127.0.0.1:9037)")
    await tui.enter("/export alice")
    await tui.type("secret", KEYS.enter)
    await tui.waitFor("file successfully written to export/alice.priv")
    await tui.enter("/fingerprint")
    await tui.waitFor("your key (alice): SHA256:mine")
    await tui.enter("/deregister bob")
    await tui.waitFor("Running /deregister: you are logged in as alice, not bob")
    await tui.enter("/help login")
    await tui.waitFor("/login <username>")
    await tui.enter("/clear")
    await tui.waitFor(/cleared \d+ system messages/)
    await tui.waitGone("Showing remote online users")
    await tui.enter("/logout")
    await tui.waitFor("You are now logged out.")
    await tui.enter("/disconnect")
    await tui.waitFor("You are no longer connected to this server!")
    await tui.enter("/set Server.Port 9999")
    await tui.waitFor("successfully changed Server.Port to 9999")
    await tui.waitFor("127.0.0.1:9999")
  })
})
