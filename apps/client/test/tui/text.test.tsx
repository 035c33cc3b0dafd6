/**
 * Text in every script: wrapping by display width, drawing every grapheme at one width, and
 * editing the input by grapheme; the rendering tests measure each drawn line as a terminal
 * that counts code point by code point (tmux, xterm) does, and as Ink does.
 */
import fc from "fast-check"
import stringWidth from "string-width"
import { afterEach, describe, expect, it } from "vitest"
import { MAX_INPUT } from "../../src/tui/hooks/useLineEditor.js"
import { PASTE_END, PASTE_START } from "../../src/tui/keys/parseKey.js"
import { cells, drawable, graphemes, wrap } from "../../src/tui/text.js"
import { eventually, type Harness, KEYS, loginAlice, renderTui, SERVER } from "./harness.js"

/** Cells a wcwidth terminal (tmux 3.3, xterm) draws: the sum over code points. */
const terminalWidth = (line: string): number => [...line].reduce((n, c) => n + stringWidth(c), 0)

const SAMPLES = {
  cjk: "中文日本語のテキスト한국어",
  thumbs: "👍🏽",
  family: "👨‍👩‍👧",
  astronaut: "🧑🏿‍🚀",
  flag: "🇫🇷",
  heart: "❤️",
  keycap: "1️⃣",
  rtl: "שלום עולם مرحبا",
  combining: "e\u0301a\u0300",
  devanagari: "नमस्ते",
  control: "a\x1b[31mred\x07"
}

const pieces = fc.constantFrom(...Object.values(SAMPLES), " ", "a", "word", "中", "🎉", "\n")
const texts = fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join(""))

describe("wrap", () => {
  it("keeps every line within its width, as Ink and as a wcwidth terminal measure it, and loses nothing", () => {
    fc.assert(
      fc.property(texts, fc.integer({ min: 6, max: 30 }), fc.integer({ min: 6, max: 30 }), (text, first, width) => {
        const lines = wrap(text, first, width)
        lines.forEach((line, i) => {
          const limit = i === 0 ? first : width
          expect(cells(line)).toBeLessThanOrEqual(limit)
          expect(terminalWidth(line)).toBeLessThanOrEqual(limit)
          expect(stringWidth(line)).toBeLessThanOrEqual(limit)
        })
        // Only the spaces lines were broken at go; every drawn grapheme stays, in order.
        const squash = (s: string) => s.replace(/[ \n]/g, "")
        expect(squash(lines.join(""))).toBe(squash(drawable(text)))
      })
    )
  })

  it("breaks long runs without spaces by width instead of cutting them", () => {
    const text = "中文".repeat(30)
    const lines = wrap(text, 10, 10)
    expect(lines.every((l) => cells(l) === 10)).toBe(true)
    expect(lines.join("")).toBe(text)
    expect(wrap("👍🏽".repeat(5), 9, 9).join("").replace(/\u200b/g, "")).toBe("👍🏽".repeat(5))
  })

  it("draws control characters as visible pictures and never emits an escape", () => {
    expect(drawable(SAMPLES.control)).toBe("a␛[31mred␇")
    expect(drawable("x\u202ey")).toBe("x\ufffdy")
  })
})

let tui: Harness | undefined
afterEach(async () => {
  await tui?.dispose()
  tui = undefined
})

/** Every row as wide as the screen (borders in place) under both measures; none wider. */
const expectAligned = (frame: string, columns: number) => {
  for (const line of frame.split("\n")) {
    expect(terminalWidth(line), line).toBeLessThanOrEqual(columns)
    expect(stringWidth(line), line).toBeLessThanOrEqual(columns)
    if (line.endsWith("│") || line.endsWith("╯") || line.endsWith("╮")) expect(terminalWidth(line), line).toBe(columns)
  }
}

describe("rendering text in every script", () => {
  it("shows long CJK, emoji, RTL and combining messages whole, wrapped, with the borders in place", async () => {
    tui = await renderTui({ servers: [SERVER], size: { columns: 100, rows: 40 } })
    await loginAlice(tui)
    const long = `${SAMPLES.cjk.repeat(8)} ${Object.values(SAMPLES).join(" ")} ${"🎉👍🏽".repeat(30)} end`
    tui.backend.emit({ _tag: "Message", server: "test", sender: "bob", stamp: Date.now(), text: long })
    await tui.waitFor("bob [1]")
    await tui.type(KEYS.alt("2"))
    const frame = await tui.waitFor(/ end\s*│/)
    expectAligned(frame, 100)
    // The whole text is on screen: the message rows, joined, hold every drawn grapheme.
    const rows = frame
      .split("\n")
      .map((l) => /^│[^│]*││(.*?)││/.exec(l)?.[1] ?? "")
      .join("")
      .replace(/[\s\u200b]/g, "")
    for (const g of graphemes(drawable(long).replace(/[\s\u200b]/g, ""))) expect(rows).toContain(g)
    expect(rows).toContain(SAMPLES.cjk.repeat(2))
    expect(frame).not.toContain("\x1b[31m")
  })

  it("keeps the input line's border in place whatever is typed", async () => {
    tui = await renderTui({ size: { columns: 60, rows: 20 } })
    // Pasted: typed, the escape in the control sample would be a key of its own.
    await tui.type(PASTE_START, Object.values(SAMPLES).join("").repeat(3), PASTE_END)
    let frame = await tui.waitFor(/>\s+\S/)
    expectAligned(frame, 60)
    // The same text in a prompt popup.
    await tui.type(KEYS.esc, KEYS.ctrl("s"), KEYS.ctrl("n"))
    await tui.waitFor("Enter server name...")
    await tui.type(PASTE_START, Object.values(SAMPLES).join("").repeat(3), PASTE_END)
    frame = await tui.waitFor(/> \S/)
    expectAligned(frame, 60)
  })
})

describe("editing by grapheme", () => {
  /** A local buffer to type into: text typed there is echoed as sent. */
  const scratch = async () => {
    const h = await renderTui()
    await h.type(KEYS.ctrl("k"), KEYS.ctrl("n"))
    await h.waitFor("Enter buffer name...")
    await h.enter("scratch")
    await h.waitFor("Local / scratch")
    return h
  }
  const sentTexts = (h: Harness) =>
    h.frame()
      .split("\n")
      .flatMap((l) => (/\[You\] at \d\d:\d\d[AP]M: (.*?)\s*│/.exec(l)?.[1] ?? []))

  it("Backspace removes a whole emoji, never half of it", async () => {
    tui = await scratch()
    await tui.type("oops 🎉", KEYS.backspace, "!", KEYS.enter)
    await tui.waitFor("[You] at")
    expect(sentTexts(tui)).toEqual(["oops !"])
  })

  it("Left, Right and Delete step over skin tones, ZWJ sequences, flags and combining marks", async () => {
    tui = await scratch()
    const left = "\x1b[D"
    const del = "\x1b[3~"
    await tui.type(`a${SAMPLES.thumbs}${SAMPLES.family}${SAMPLES.flag}${SAMPLES.combining}b`)
    // Back over b, the two accented letters and the flag; Backspace takes the family, Delete the flag.
    await tui.type(left, left, left, left, KEYS.backspace, del, "x", KEYS.enter)
    await tui.waitFor("[You] at")
    const [text] = sentTexts(tui)
    expect(text).toBe(drawable(`a${SAMPLES.thumbs}x${SAMPLES.combining}b`))
  })

  it("cuts what does not fit under the limit between graphemes, and says so", async () => {
    tui = await scratch()
    const controller = tui.controller
    let submitted = ""
    const submit = controller.submit.bind(controller)
    controller.submit = (line: string) => {
      submitted = line
      submit(line)
    }
    await tui.type("a".repeat(MAX_INPUT - 1))
    await tui.type("👍🏽👍🏽")
    await tui.waitFor("the input holds")
    await tui.type(KEYS.enter)
    await eventually(() => expect(submitted).toBe("a".repeat(MAX_INPUT - 1)))
    expect(submitted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
  })
})
