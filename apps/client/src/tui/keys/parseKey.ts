/**
 * Turns one terminal input sequence (as Ink's input parser splits them) into a key press.
 * Ink's own `useInput` hides function keys and Alt-digits, which the TUI binds, hence this parser.
 */
export interface KeyPress {
  /** "a", "up", "pageup", "return", "f1" ...; "" for plain text (see `text`). */
  readonly name: string
  readonly ctrl: boolean
  readonly meta: boolean
  readonly shift: boolean
  /** Printable text carried by the key (a typed character or a paste), else "". */
  readonly text: string
}

const key = (name: string, mods: Partial<Pick<KeyPress, "ctrl" | "meta" | "shift">> = {}, text = ""): KeyPress => ({
  name,
  ctrl: mods.ctrl ?? false,
  meta: mods.meta ?? false,
  shift: mods.shift ?? false,
  text
})

const FINAL: Record<string, string> = { A: "up", B: "down", C: "right", D: "left", H: "home", F: "end", P: "f1", Q: "f2", R: "f3", S: "f4", Z: "tab" }
const TILDE: Record<string, string> = {
  "1": "home",
  "2": "insert",
  "3": "delete",
  "4": "end",
  "5": "pageup",
  "6": "pagedown",
  "7": "home",
  "8": "end",
  "11": "f1",
  "12": "f2",
  "13": "f3",
  "14": "f4"
}

/** xterm modifier parameter: 1 + (shift 1 | alt 2 | ctrl 4). */
const modifiers = (param: string | undefined) => {
  const m = Math.max(0, Number(param ?? "1") - 1)
  return { shift: (m & 1) !== 0, meta: (m & 2) !== 0, ctrl: (m & 4) !== 0 }
}

const parseEscape = (body: string, meta: boolean): KeyPress | undefined => {
  // CSI: ESC [ params final | SS3: ESC O final | linux console: ESC [ [ A
  let m = /^\[\[([A-E])$/.exec(body)
  if (m) return key(`f${"ABCDE".indexOf(m[1]) + 1}`, { meta })
  m = /^\[(\d+)(?:;(\d+))?~$/.exec(body)
  if (m) {
    const name = TILDE[m[1]]
    if (name === undefined) return undefined
    const mods = modifiers(m[2])
    return key(name, { ...mods, meta: mods.meta || meta })
  }
  m = /^(?:\[(?:1;)?(\d+)?|O(\d+)?)([A-HPQRSZ])$/.exec(body)
  if (m) {
    const name = FINAL[m[3]]
    if (name === undefined) return undefined
    const mods = modifiers(m[1] ?? m[2])
    return key(name, { ...mods, meta: mods.meta || meta, shift: mods.shift || m[3] === "Z" })
  }
  return undefined
}

export const parseKey = (sequence: string): KeyPress => {
  if (sequence === "\r" || sequence === "\n") return key("return")
  if (sequence === "\t") return key("tab")
  if (sequence === "\x7f") return key("backspace")
  if (sequence === "\x08") return key("h", { ctrl: true })
  if (sequence === "\x1b" ) return key("escape")
  if (sequence === "\x1b\x1b") return key("escape", { meta: true })
  if (sequence === " ") return key("space", {}, " ")
  if (sequence === "\x00") return key("space", { ctrl: true })
  if (sequence.length === 1) {
    const code = sequence.charCodeAt(0)
    if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), { ctrl: true })
    if (code < 32) return key(`ctrl-${code}`, { ctrl: true })
  }
  if (sequence.startsWith("\x1b")) {
    const rest = sequence.slice(1)
    if (rest === "\r" || rest === "\n") return key("return", { meta: true })
    if (rest === "\x7f") return key("backspace", { meta: true })
    if (rest.startsWith("\x1b")) {
      const inner = parseEscape(rest.slice(1), true)
      if (inner) return inner
    }
    const parsed = parseEscape(rest, false)
    if (parsed) return parsed
    if ([...rest].length === 1) {
      const code = rest.charCodeAt(0)
      if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), { ctrl: true, meta: true })
      return key(rest.toLowerCase(), { meta: true, shift: rest !== rest.toLowerCase() })
    }
    return key("unknown")
  }
  // Printable text (one character or a paste); control characters inside a paste become spaces.
  const text = sequence.replace(/[\x00-\x1f\x7f]/g, " ")
  return key("", {}, text)
}

/** Bracketed paste (`ESC [ ? 2004 h`): the terminal sends a paste between these two marks. */
export const PASTE_START = "\x1b[200~"
export const PASTE_END = "\x1b[201~"
export const BRACKETED_PASTE_ON = "\x1b[?2004h"
export const BRACKETED_PASTE_OFF = "\x1b[?2004l"

/** A read without the paste marks that is still a paste: text, a line break, then more text. */
export const isPaste = (data: string): boolean => !data.startsWith("\x1b") && /[\r\n][^\r\n]/.test(data)

/**
 * A paste as one key press: line breaks (CR, LF, CRLF) become newlines, other control characters
 * spaces, and one final line break is dropped (Enter is the user's to press).
 */
export const pasteKey = (data: string): KeyPress =>
  key("paste", {}, data.replace(/\r\n?/g, "\n").replace(/\n$/, "").replace(/[\x00-\x09\x0b-\x1f\x7f]/g, " "))

/**
 * Splits what the terminal sent in one read into single keys: Ink separates escape sequences,
 * but a paste or keys typed faster than a read (`abc\r`, `\x13\x0e`) arrive together. Runs of
 * printable text stay together; every control character is a key of its own.
 */
export const splitKeys = (data: string): ReadonlyArray<string> => {
  if (data.startsWith("\x1b")) return [data]
  return data.match(/[\x00-\x1f\x7f]|[^\x00-\x1f\x7f]+/g) ?? []
}

/** Human label of a key press, e.g. "Ctrl-K", "Alt-Up", "F1". */
export const describeKey = (k: KeyPress): string => {
  const parts: Array<string> = []
  if (k.ctrl) parts.push("Ctrl")
  if (k.meta) parts.push("Alt")
  if (k.shift) parts.push("Shift")
  const name = k.name === "" ? k.text : k.name.length === 1 ? k.name.toUpperCase() : k.name[0].toUpperCase() + k.name.slice(1)
  return [...parts, name].join("-")
}
