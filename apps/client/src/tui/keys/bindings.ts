/**
 * Every key binding of the TUI as data: the key handler resolves presses through this table and
 * the help overlay lists it, so the two can never disagree.
 */
import type { KeyPress } from "./parseKey.js"

export type Context = "global" | "input" | "messages" | "buffers" | "servers" | "help"

export type Command =
  | "quit"
  | "help"
  | "toggleFocus"
  | "focusBuffers"
  | "focusServers"
  | "switcher"
  | "prevBuffer"
  | "nextBuffer"
  | "prevServer"
  | "nextServer"
  | "jumpBuffer"
  | "toggleSidebar"
  | "toggleUsers"
  | "redraw"
  | "pageUp"
  | "pageDown"
  | "ignore"
  | "submit"
  | "complete"
  | "historyPrev"
  | "historyNext"
  | "clearInput"
  | "edit"
  | "newline"
  | "lineUp"
  | "lineDown"
  | "scrollEnd"
  | "scrollTop"
  | "listPrev"
  | "listNext"
  | "listJump"
  | "listSelect"
  | "listNew"
  | "listHide"
  | "listDelete"
  | "back"

export interface Binding {
  readonly context: Context
  /** As shown in the help overlay. */
  readonly keys: string
  readonly description: string
  readonly command: Command
  readonly match: (k: KeyPress) => boolean
}

const plain = (k: KeyPress) => !k.ctrl && !k.meta && !k.shift
const ctrl = (letter: string) => (k: KeyPress) => k.ctrl && !k.meta && k.name === letter
const named = (name: string) => (k: KeyPress) => plain(k) && k.name === name
const alt = (name: string) => (k: KeyPress) => k.meta && !k.ctrl && k.name === name
const shift = (name: string) => (k: KeyPress) => k.shift && !k.ctrl && !k.meta && k.name === name
const either = (...ms: ReadonlyArray<(k: KeyPress) => boolean>) => (k: KeyPress) => ms.some((m) => m(k))
const isDigit = (k: KeyPress) => /^[1-9]$/.test(k.name)
const shortcut = (k: KeyPress) => !k.ctrl && !k.meta && k.name === "" && /^[1-9a-z]$/.test(k.text)

export const BINDINGS: ReadonlyArray<Binding> = [
  { context: "global", keys: "Ctrl-Q", description: "quit gochat", command: "quit", match: ctrl("q") },
  { context: "global", keys: "Ctrl-L / F1", description: "show or hide this help", command: "help", match: either(ctrl("l"), named("f1")) },
  { context: "global", keys: "Ctrl-T", description: "move focus between the input and the messages", command: "toggleFocus", match: ctrl("t") },
  { context: "global", keys: "Ctrl-K", description: "focus the buffer list", command: "focusBuffers", match: ctrl("k") },
  { context: "global", keys: "Ctrl-S", description: "focus the server list", command: "focusServers", match: ctrl("s") },
  { context: "global", keys: "Ctrl-G", description: "go to a buffer by name (Tab completes)", command: "switcher", match: ctrl("g") },
  { context: "global", keys: "Alt-Up", description: "previous buffer", command: "prevBuffer", match: alt("up") },
  { context: "global", keys: "Alt-Down", description: "next buffer", command: "nextBuffer", match: alt("down") },
  { context: "global", keys: "Shift-Up", description: "previous server", command: "prevServer", match: shift("up") },
  { context: "global", keys: "Shift-Down", description: "next server", command: "nextServer", match: shift("down") },
  { context: "global", keys: "Alt-1..9", description: "jump to buffer 1..9", command: "jumpBuffer", match: (k) => k.meta && !k.ctrl && isDigit(k) },
  { context: "global", keys: "Ctrl-B", description: "show or hide the buffer and server lists", command: "toggleSidebar", match: ctrl("b") },
  { context: "global", keys: "Ctrl-U", description: "show or hide the online users", command: "toggleUsers", match: ctrl("u") },
  { context: "global", keys: "Ctrl-R", description: "redraw the screen", command: "redraw", match: ctrl("r") },
  { context: "global", keys: "PageUp", description: "scroll the messages back", command: "pageUp", match: named("pageup") },
  { context: "global", keys: "PageDown", description: "scroll the messages forward", command: "pageDown", match: named("pagedown") },
  { context: "global", keys: "Ctrl-C", description: "ignored (use Ctrl-Q)", command: "ignore", match: ctrl("c") },

  { context: "input", keys: "Enter", description: "send the message or run the /command", command: "submit", match: named("return") },
  { context: "input", keys: "Alt-Enter", description: "start a new line in the message", command: "newline", match: alt("return") },
  { context: "input", keys: "Tab", description: "complete a command name or a username", command: "complete", match: named("tab") },
  { context: "input", keys: "Up", description: "previous line of the input history", command: "historyPrev", match: named("up") },
  { context: "input", keys: "Down", description: "next line of the input history", command: "historyNext", match: named("down") },
  { context: "input", keys: "Esc", description: "clear the input and the history position", command: "clearInput", match: named("escape") },
  { context: "input", keys: "Left / Right", description: "move the cursor", command: "edit", match: either(named("left"), named("right")) },
  { context: "input", keys: "Home / End, Ctrl-A / Ctrl-E", description: "go to the start / end of the line", command: "edit", match: either(named("home"), named("end"), ctrl("a"), ctrl("e")) },
  { context: "input", keys: "Backspace / Delete", description: "delete before / at the cursor", command: "edit", match: either(named("backspace"), named("delete"), ctrl("h"), ctrl("d")) },
  { context: "input", keys: "Ctrl-W", description: "delete the word before the cursor", command: "edit", match: ctrl("w") },

  { context: "messages", keys: "Up / Down", description: "scroll one line", command: "lineUp", match: named("up") },
  { context: "messages", keys: "Down", description: "scroll one line forward", command: "lineDown", match: named("down") },
  { context: "messages", keys: "Esc / End", description: "scroll to the newest message", command: "scrollEnd", match: either(named("escape"), named("end")) },
  { context: "messages", keys: "Alt-Esc / Home", description: "scroll to the first message", command: "scrollTop", match: either(alt("escape"), named("home")) },

  { context: "buffers", keys: "1-9, a-z", description: "select the buffer with that shortcut", command: "listJump", match: shortcut },
  { context: "buffers", keys: "Up / Down", description: "select the previous / next buffer", command: "listPrev", match: named("up") },
  { context: "buffers", keys: "Down", description: "select the next buffer", command: "listNext", match: named("down") },
  { context: "buffers", keys: "Enter / Esc", description: "back to the input", command: "back", match: either(named("return"), named("escape")) },
  { context: "buffers", keys: "Ctrl-N", description: "open a conversation (new buffer)", command: "listNew", match: ctrl("n") },
  { context: "buffers", keys: "Ctrl-W / Ctrl-H", description: "hide the buffer (until the next login)", command: "listHide", match: either(ctrl("w"), ctrl("h")) },
  { context: "buffers", keys: "Ctrl-X", description: "close the conversation (asks; it stays closed)", command: "listDelete", match: ctrl("x") },

  { context: "servers", keys: "1-9", description: "select the server with that shortcut", command: "listJump", match: shortcut },
  { context: "servers", keys: "Up / Down", description: "select the previous / next server", command: "listPrev", match: named("up") },
  { context: "servers", keys: "Down", description: "select the next server", command: "listNext", match: named("down") },
  { context: "servers", keys: "Enter / Esc", description: "back to the input", command: "back", match: either(named("return"), named("escape")) },
  { context: "servers", keys: "Ctrl-N", description: "add a server (name, then address:port)", command: "listNew", match: ctrl("n") },
  { context: "servers", keys: "Ctrl-W / Ctrl-H", description: "hide the server (disconnects it)", command: "listHide", match: either(ctrl("w"), ctrl("h")) },
  { context: "servers", keys: "Ctrl-X", description: "delete the server and its local data", command: "listDelete", match: ctrl("x") },

  { context: "help", keys: "Up / Down", description: "scroll the help by a line", command: "lineUp", match: named("up") },
  { context: "help", keys: "Down", description: "scroll the help forward", command: "lineDown", match: named("down") },
  { context: "help", keys: "PageUp / PageDown", description: "scroll the help by a page", command: "pageUp", match: named("pageup") },
  { context: "help", keys: "PageDown", description: "scroll the help forward by a page", command: "pageDown", match: named("pagedown") },
  { context: "help", keys: "Esc / Ctrl-L / F1", description: "close the help", command: "back", match: either(named("escape"), ctrl("l"), named("f1")) }
]

/** The first binding of `context` (then of "global", unless a popup/help blocks it) matching the key. */
export const resolve = (context: Context, k: KeyPress, globalAllowed: boolean): Binding | undefined =>
  BINDINGS.find((b) => b.context === context && b.match(k)) ??
  (globalAllowed ? BINDINGS.find((b) => b.context === "global" && b.match(k)) : undefined)

/** Rows for the help overlay: duplicates folded ("Up / Down" rows already name both). */
export const helpRows = (context: Context): ReadonlyArray<Binding> => {
  const rows = BINDINGS.filter((b) => b.context === context)
  return rows.filter((b, i) => !rows.slice(0, i).some((o) => o.keys.includes(b.keys)))
}

export const CONTEXT_TITLES: Record<Context, string> = {
  global: "Everywhere",
  input: "Input line",
  messages: "Messages (after Ctrl-T)",
  buffers: "Buffer list (after Ctrl-K)",
  servers: "Server list (after Ctrl-S)",
  help: "Help page"
}
