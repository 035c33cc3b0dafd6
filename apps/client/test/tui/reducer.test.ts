import { describe, expect, it } from "vitest"
import type { AppState } from "../../src/tui/state/model.js"
import { toArray } from "../../src/tui/state/messageList.js"
import { type Action, currentBuffer, currentServer, findServer, initialState, reduce } from "../../src/tui/state/reducer.js"

const T = Date.UTC(2026, 0, 2, 12, 0, 0)
const run = (actions: ReadonlyArray<Action>, from?: AppState) => actions.reduce(reduce, from ?? initialState({ verbose: false, stamp: T }))
const server = { name: "srv", address: "localhost", port: 9037, tls: false }
const loggedIn: ReadonlyArray<Action> = [
  { _tag: "ServerAdded", server, stamp: T },
  { _tag: "SelectServer", name: "srv" },
  { _tag: "Connected", server: "srv", motd: "", stamp: T },
  { _tag: "LoggedIn", server: "srv", user: "alice", permission: 0, stamp: T }
]
const msg = (sender: string, text: string, stamp = T): Action => ({ _tag: "Received", server: "srv", sender, text, stamp })

describe("reducer", () => {
  it("starts on the Local server's System buffer with the welcome", () => {
    const s = initialState({ verbose: false, stamp: T })
    expect(currentServer(s).name).toBe("Local")
    expect(currentBuffer(s).name).toBe("System")
    expect(toArray(currentBuffer(s).messages).map((m) => m.text).join("\n")).toContain("Welcome to gochat!")
  })

  it("counts unread messages per sender, opening their buffer without selecting it", () => {
    const s = run([...loggedIn, msg("bob", "one"), msg("bob", "two"), msg("carol", "three")])
    const srv = findServer(s, "srv")!
    expect(srv.unread).toEqual({ bob: 2, carol: 1 })
    expect(srv.buffers.map((b) => b.name)).toEqual(["Default", "bob", "carol"])
    expect(currentBuffer(s).name).toBe("Default")
    const opened = reduce(s, { _tag: "SelectBuffer", name: "bob" })
    expect(findServer(opened, "srv")!.unread).toEqual({ carol: 1 })
    const bob = currentBuffer(opened)
    expect(bob.unreadMarker).toBe(toArray(bob.messages).find((m) => m.text === "one")!.seq)
    // Reading the buffer being viewed does not count.
    expect(findServer(reduce(opened, msg("bob", "four")), "srv")!.unread).toEqual({ carol: 1 })
    // Another server's messages count there, not here.
    const away = reduce(opened, { _tag: "SelectServer", name: "Local" })
    expect(findServer(reduce(away, msg("bob", "five")), "srv")!.unread).toEqual({ carol: 1, bob: 1 })
  })

  it("merges stored history into an open buffer without duplicates", () => {
    const s = run([...loggedIn, msg("bob", "hello", T + 1500)])
    const merged = reduce(s, {
      _tag: "OpenBuffer",
      server: "srv",
      name: "bob",
      history: [
        { peer: "bob", outgoing: false, stamp: T + 1000, text: "hello" },
        { peer: "bob", outgoing: true, stamp: T - 5000, text: "earlier" }
      ],
      select: false,
      stamp: T
    })
    expect(toArray(findServer(merged, "srv")!.buffers[1].messages).map((m) => `${m.kind}:${m.text}`)).toEqual(["self:earlier", "peer:hello"])
  })

  it("drops conversations, users and counts on logout and disconnect", () => {
    const s = run([
      ...loggedIn,
      { _tag: "UsersLoaded", server: "srv", users: [{ name: "bob", permission: 0 }, { name: "root", permission: 2 }] },
      msg("bob", "hi"),
      { _tag: "LoggedOut", server: "srv", stamp: T }
    ])
    const srv = findServer(s, "srv")!
    expect(srv.buffers.map((b) => b.name)).toEqual(["Default"])
    expect(srv.users).toEqual([])
    expect(srv.unread).toEqual({})
    const gone = reduce(reduce(s, { _tag: "Disconnected", server: "srv", reason: "connection reset", stamp: T }), {
      _tag: "Disconnected",
      server: "srv",
      reason: "again",
      stamp: T
    })
    const texts = toArray(currentBuffer(gone).messages).map((m) => m.text)
    expect(texts.filter((t) => t.startsWith("You are no longer connected"))).toEqual(["You are no longer connected to this server: connection reset!"])
  })

  it("keeps the users panel sorted by permission and follows hooks", () => {
    const s = run([
      ...loggedIn,
      { _tag: "UsersLoaded", server: "srv", users: [{ name: "bob", permission: 0 }, { name: "root", permission: 2 }] },
      { _tag: "UserLogin", server: "srv", user: "carol", permission: 1 },
      { _tag: "PermissionChanged", server: "srv", user: "bob", permission: 2, stamp: T },
      { _tag: "UserLogout", server: "srv", user: "root" }
    ])
    expect(findServer(s, "srv")!.users).toEqual([
      { name: "bob", permission: 2 },
      { name: "carol", permission: 1 }
    ])
  })

  it("sets and clears the key-change warning of a conversation", () => {
    const change = { pinned: "SHA256:a", offered: "SHA256:b" }
    const s = run([...loggedIn, msg("bob", "hi"), { _tag: "KeyChanged", server: "srv", user: "bob", change, stamp: T }])
    expect(findServer(s, "srv")!.buffers[1].keyChange).toEqual(change)
    expect(findServer(reduce(s, { _tag: "KeyTrusted", server: "srv", user: "bob" }), "srv")!.buffers[1].keyChange).toBeNull()
  })

  it("never hides or deletes system buffers or the Local server", () => {
    const s = run([...loggedIn])
    expect(reduce(s, { _tag: "HideBuffer", server: "srv", name: "Default" })).toBe(s)
    expect(reduce(s, { _tag: "ServerRemoved", name: "Local" })).toBe(s)
    const hidden = reduce(s, { _tag: "ServerHidden", name: "srv" })
    expect(currentServer(hidden).name).toBe("Local")
    expect(findServer(hidden, "srv")!.connected).toBe(false)
  })

  it("cycles buffers and servers and clamps scrolling", () => {
    const s = run([...loggedIn, msg("bob", "hi"), msg("carol", "yo")])
    expect(currentBuffer(reduce(s, { _tag: "CycleBuffer", delta: -1 })).name).toBe("carol")
    expect(currentBuffer(reduce(s, { _tag: "JumpBuffer", index: 1 })).name).toBe("bob")
    expect(currentServer(reduce(s, { _tag: "CycleServer", delta: 1 })).name).toBe("Local")
    expect(currentBuffer(reduce(s, { _tag: "Scroll", delta: -5 })).scroll).toBe(0)
  })
})
