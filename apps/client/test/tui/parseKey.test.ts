import { describe, expect, it } from "vitest"
import { describeKey, parseKey, splitKeys } from "../../src/tui/keys/parseKey.js"

describe("parseKey", () => {
  it.each([
    ["\x11", "Ctrl-Q"],
    ["\x0c", "Ctrl-L"],
    ["\x08", "Ctrl-H"],
    ["\x1bOP", "F1"],
    ["\x1b[11~", "F1"],
    ["\x1b[1;3A", "Alt-Up"],
    ["\x1b\x1b[B", "Alt-Down"],
    ["\x1b[1;2A", "Shift-Up"],
    ["\x1b[1;2B", "Shift-Down"],
    ["\x1b[5~", "Pageup"],
    ["\x1b[6~", "Pagedown"],
    ["\x1b3", "Alt-3"],
    ["\x1b", "Escape"],
    ["\x1b\x1b", "Alt-Escape"],
    ["\x1b\r", "Alt-Return"],
    ["\r", "Return"],
    ["\t", "Tab"],
    ["\x1b[Z", "Shift-Tab"],
    ["\x7f", "Backspace"],
    ["\x1b[3~", "Delete"],
    ["\x1b[H", "Home"],
    ["\x1bOF", "End"]
  ])("reads %j as %s", (sequence, label) => {
    expect(describeKey(parseKey(sequence))).toBe(label)
  })

  it("keeps typed and pasted text", () => {
    expect(parseKey("a")).toMatchObject({ name: "", text: "a", ctrl: false })
    expect(parseKey("héllo wörld")).toMatchObject({ name: "", text: "héllo wörld" })
    expect(parseKey(" ")).toMatchObject({ text: " " })
  })
})

describe("splitKeys", () => {
  it("separates control keys from text read together", () => {
    expect(splitKeys("srv\r")).toEqual(["srv", "\r"])
    expect(splitKeys("\x13\x0e")).toEqual(["\x13", "\x0e"])
    expect(splitKeys("a b\tc")).toEqual(["a b", "\t", "c"])
    expect(splitKeys("\x1b[1;3A")).toEqual(["\x1b[1;3A"])
  })
})
