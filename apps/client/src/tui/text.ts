/**
 * Text as the terminal shows it: graphemes (what a user sees as one character, Intl.Segmenter),
 * their width in cells (string-width, the measure Ink lays out with), and the drawable form of a
 * text, in which every grapheme has one width on every terminal.
 *
 * Terminals disagree on multi-code-point emoji: tmux 3.3 and xterm draw 👍🏽 as 👍 then 🏽 (4 cells)
 * where Ink counts 2, and ❤️ in 1 cell where Ink counts 2, so borders move. The drawable form keeps
 * only the parts every terminal agrees on: ZWJ sequences are drawn as their parts (👨‍👩‍👧 as 👨👩👧),
 * skin-tone modifiers, emoji/text presentation selectors and tag characters are not drawn, lone
 * zero-width characters are dropped, and control characters are shown as their Control Pictures
 * (␛, ␇...). The text itself (stored, sent) is never changed; only what is drawn.
 */
import stringWidth from "string-width"

const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** The graphemes of `text`, in order. */
export const graphemes = (text: string): Array<string> => Array.from(segmenter.segment(text), (s) => s.segment)

/** UTF-16 index of the grapheme boundary before `index` (0 at the start). */
export const previousBoundary = (text: string, index: number): number => {
  let last = 0
  for (const { index: at } of segmenter.segment(text)) {
    if (at >= index) break
    last = at
  }
  return last
}

/** UTF-16 index of the grapheme boundary after `index` (`text.length` at the end). */
export const nextBoundary = (text: string, index: number): number => {
  for (const { index: at, segment } of segmenter.segment(text)) if (at + segment.length > index) return at + segment.length
  return text.length
}

/** The longest start of `text` that ends on a grapheme boundary and has at most `max` UTF-16 units. */
export const cutGraphemes = (text: string, max: number): string => {
  if (text.length <= max) return text
  let end = 0
  for (const { index, segment } of segmenter.segment(text)) {
    if (index + segment.length > max) break
    end = index + segment.length
  }
  return text.slice(0, end)
}

const PLAIN = /^[\x20-\x7e]*$/
/** Presentation selectors, the keycap mark and tag characters: drawn differently by each terminal. */
const EMOJI_PARTS = /[\uFE0E\uFE0F\u20E3\u{E0020}-\u{E007F}]/gu
const NEEDS_CARE = /[\p{Extended_Pictographic}\u{1F3FB}-\u{1F3FF}\uFE0E\uFE0F\u20E3\u200D\u{E0020}-\u{E007F}]/u
/** Zero-width space: Ink gives it a cell, terminals none; pads a grapheme Ink counts narrower than terminals draw it. */
const PAD = "\u200b"
// C0 controls except newline (the wrapper breaks lines there), DEL and C1 controls, and the
// bidirectional overrides and isolates, which would reorder what follows them.
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g

const controlPicture = (c: string): string => {
  const code = c.charCodeAt(0)
  if (code < 0x20) return String.fromCharCode(0x2400 + code)
  if (code === 0x7f) return "\u2421"
  return "\ufffd"
}

/**
 * Cells a terminal that measures code point by code point (tmux, xterm: wcwidth) gives the
 * grapheme, when that is more than Ink's count for it (one width per grapheme); else Ink's count.
 */
const widestCount = (g: string): number => {
  const ink = stringWidth(g)
  let sum = 0
  for (const c of g) sum += stringWidth(c)
  return Math.max(ink, sum)
}

/** A piece of drawn text that is never broken across lines, and the cells Ink gives it. */
interface Unit {
  readonly text: string
  readonly cells: number
}

/** One grapheme as drawn: zero or more units (a ZWJ sequence gives one per part). */
const drawGrapheme = (g: string, into: Array<Unit>): void => {
  if (g.length === 1 && g >= " " && g <= "~") {
    into.push({ text: g, cells: 1 })
    return
  }
  let parts = [g.replace(CONTROL, controlPicture)]
  // ZWJ sequences are drawn as their parts: terminals draw them joined (2 cells) or not (the sum).
  if (NEEDS_CARE.test(parts[0])) parts = parts[0].replace(EMOJI_PARTS, "").split("\u200d")
  for (const part of parts) {
    const ink = stringWidth(part)
    // What takes no cell (a lone ZWSP, variation selector...) is not drawn: Ink would give it a
    // cell the terminal does not. A part some terminals draw wider than Ink counts it (a skin-tone
    // modifier, an Indic conjunct) is padded so Ink reserves the widest.
    if (part === "" || ink === 0) continue
    const pad = widestCount(part) - ink
    into.push({ text: part + PAD.repeat(pad), cells: ink + pad })
  }
}

const units = (line: string): Array<Unit> => {
  const out: Array<Unit> = []
  if (PLAIN.test(line)) for (const c of line) out.push({ text: c, cells: 1 })
  else for (const { segment } of segmenter.segment(line)) drawGrapheme(segment, out)
  return out
}

const join = (us: ReadonlyArray<Unit>): string => us.map((u) => u.text).join("")
const width = (us: ReadonlyArray<Unit>): number => us.reduce((n, u) => n + u.cells, 0)

/** `text` as drawn (newlines kept): every grapheme at one width on every terminal. */
export const drawable = (text: string): string =>
  PLAIN.test(text) ? text : text.split("\n").map((line) => join(units(line))).join("\n")

/** Cells a line takes on screen once drawn. */
export const cells = (text: string): number => (PLAIN.test(text) ? text.length : width(units(text)))

/**
 * Breaks `text` into drawn lines of at most `firstWidth` cells (the first) and `width` cells (the
 * others): at the last space or wide grapheme (CJK, emoji: lines may break before them) that
 * fits, otherwise between any graphemes (long runs without spaces). Newlines start a new line.
 * Nothing but the space a line is broken at is left out.
 */
export const wrap = (text: string, firstWidth: number, lineWidth: number): Array<string> => {
  const out: Array<string> = []
  for (const paragraph of text.split("\n")) {
    let limit = Math.max(2, out.length === 0 ? firstWidth : lineWidth)
    if (PLAIN.test(paragraph) && paragraph.length <= limit) {
      out.push(paragraph)
      continue
    }
    const us = units(paragraph)
    let start = 0
    let used = 0
    // Where the line may be broken: at a space (not drawn), or before or after a wide grapheme (CJK, emoji).
    let lastBreak = -1
    let skip = false
    let i = 0
    while (i < us.length) {
      const u = us[i]
      if (used + u.cells > limit && i > start) {
        if (u.text === " ") {
          out.push(join(us.slice(start, i)))
          start = ++i
        } else if (u.cells < 2 && lastBreak > start) {
          out.push(join(us.slice(start, lastBreak)))
          start = i = lastBreak + (skip ? 1 : 0)
        } else {
          out.push(join(us.slice(start, i)))
          start = i
        }
        used = 0
        lastBreak = -1
        limit = Math.max(2, lineWidth)
        continue
      }
      used += u.cells
      i++
      if (u.text === " " || u.cells >= 2) {
        lastBreak = u.text === " " ? i - 1 : i
        skip = u.text === " "
      }
    }
    out.push(join(us.slice(start)))
  }
  return out
}

/** The drawn start of `text` that fits in `width` cells (for names and titles; messages wrap). */
export const fit = (text: string, room: number): string => {
  if (PLAIN.test(text)) return text.slice(0, room)
  let out = ""
  let used = 0
  for (const u of units(text.replace(/\n/g, " "))) {
    if (used + u.cells > room) break
    out += u.text
    used += u.cells
  }
  return out
}
