/**
 * The TUI's state: plain immutable data, changed only by `reduce` (reducer.ts). A buffer's
 * messages are kept in display order (messageList.ts); views only decorate the visible ones.
 */
import type { KeyChange, OnlineUser, ServerRecord } from "../backend.js"
import { emptyList, type MessageList } from "./messageList.js"

export type MessageKind = "self" | "peer" | "system" | "broadcast"

export interface Message {
  /** Order of arrival in this TUI (unique); ties in `stamp` keep this order. */
  readonly seq: number
  readonly kind: MessageKind
  readonly sender: string
  /** Unix milliseconds. */
  readonly stamp: number
  readonly text: string
}

export interface Buffer {
  readonly name: string
  /** System buffers (Local's "System", a remote server's "Default") cannot be hidden or deleted. */
  readonly system: boolean
  readonly hidden: boolean
  /** In display order: by stamp, then arrival. */
  readonly messages: MessageList
  /** `seq` of the first message that was unread when the buffer was opened (the UNREAD marker). */
  readonly unreadMarker: number | null
  /** Lines scrolled back from the newest one. */
  readonly scroll: number
  /** Set while the peer's key offered by the server differs from the pinned one. */
  readonly keyChange: KeyChange | null
}

export interface Server {
  readonly name: string
  readonly local: boolean
  readonly address: string
  readonly port: number
  readonly tls: boolean
  readonly hidden: boolean
  readonly connected: boolean
  readonly user: string | null
  readonly permission: number | null
  readonly users: ReadonlyArray<OnlineUser>
  readonly buffers: ReadonlyArray<Buffer>
  readonly current: string
  /** Unread messages per sender (also for senders without an open buffer). */
  readonly unread: Readonly<Record<string, number>>
  readonly shutdownAt: number | null
  readonly motd: string | null
}

export type Focus = "input" | "messages" | "buffers" | "servers"

export type Popup =
  | { readonly _tag: "Prompt"; readonly id: number; readonly title: string; readonly masked: boolean; readonly value: string }
  /** A yes/no question; Enter gives `enter` (the safe answer for anything that deletes). */
  | { readonly _tag: "Confirm"; readonly id: number; readonly title: string; readonly enter: boolean }
  | { readonly _tag: "Switcher"; readonly value: string }

export interface Busy {
  readonly id: number
  readonly label: string
}

export interface AppState {
  readonly servers: ReadonlyArray<Server>
  readonly current: string
  readonly focus: Focus
  readonly showSidebar: boolean
  /** null: shown while logged in; otherwise forced by Ctrl-U. */
  readonly showUsers: boolean | null
  readonly help: boolean
  readonly helpScroll: number
  readonly popups: ReadonlyArray<Popup>
  /** The transient line under the messages: an error, or a hint (`info`) such as Tab candidates. */
  readonly error: { readonly text: string; readonly seq: number; readonly info: boolean } | null
  readonly busy: ReadonlyArray<Busy>
  /** Lines entered in the input, oldest first. */
  readonly history: ReadonlyArray<string>
  readonly verbose: boolean
  readonly layout: Layout
  readonly seq: number
}

/** Column widths (in cells), changed with /set TUI.*; memory only. */
export interface Layout {
  readonly sidebarWidth: number
  readonly usersWidth: number
}

export const DEFAULT_LAYOUT: Layout = { sidebarWidth: 18, usersWidth: 16 }

export const LOCAL = "Local"
export const LOCAL_SYSTEM = "System"
/** Local system buffer of packet dumps (--verbose with `ui_config.debug_buffer`). */
export const LOCAL_DEBUG = "Debug"
export const REMOTE_SYSTEM = "Default"
export const MAX_BUFFERS = 35
/** Messages kept in memory per buffer (the oldest go first; conversations stay in the store). */
export const MAX_MESSAGES = 5000
export const SYSTEM_SENDER = "System"
export const SELF_SENDER = "You"

export const LOGO = [
  "",
  "                    __          __ ",
  "   ____ _____  _____/ /_  ____ _/ /_",
  "  / __ `/ __ \\/ ___/ __ \\/ __ `/ __/",
  " / /_/ / /_/ / /__/ / / / /_/ / /_  ",
  " \\__, /\\____/\\___/_/ /_/\\__,_/\\__/  ",
  "/____/                              "
].join("\n")

export const LOCAL_WELCOME =
  "Welcome to gochat!\nPress Ctrl-L or F1 to show help!\nAdd a server with Ctrl-S then Ctrl-N; in its buffer use /connect, /register and /login."
export const REMOTE_WELCOME =
  "You are currently in the default channel for this server.\nUse /connect to connect to it.\nYou may then use /register or /login to use an account."

export const emptyBuffer = (name: string, system: boolean): Buffer => ({
  name,
  system,
  hidden: false,
  messages: emptyList(),
  unreadMarker: null,
  scroll: 0,
  keyChange: null
})

export const remoteServer = (record: ServerRecord): Server => ({
  name: record.name,
  local: false,
  address: record.address,
  port: record.port,
  tls: record.tls,
  hidden: false,
  connected: false,
  user: null,
  permission: null,
  users: [],
  buffers: [emptyBuffer(REMOTE_SYSTEM, true)],
  current: REMOTE_SYSTEM,
  unread: {},
  shutdownAt: null,
  motd: null
})

export const localServer = (): Server => ({
  ...remoteServer({ name: LOCAL, address: "", port: 0, tls: false }),
  local: true,
  buffers: [emptyBuffer(LOCAL_SYSTEM, true)],
  current: LOCAL_SYSTEM
})
