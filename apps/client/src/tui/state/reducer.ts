/**
 * Every change of the TUI's state, as a pure function of the previous state and an action.
 * Actions that add messages carry their own time stamp so the reducer stays deterministic.
 */
import type { KeyChange, OnlineUser, ServerRecord, StoredMessage } from "../backend.js"
import {
  type AppState,
  type Buffer,
  DEFAULT_LAYOUT,
  type Layout,
  type Focus,
  type Message,
  type MessageKind,
  type Popup,
  type Server,
  emptyBuffer,
  LOCAL,
  LOCAL_DEBUG,
  LOCAL_SYSTEM,
  LOCAL_WELCOME,
  localServer,
  LOGO,
  MAX_BUFFERS,
  MAX_MESSAGES,
  REMOTE_SYSTEM,
  REMOTE_WELCOME,
  remoteServer,
  SELF_SENDER,
  SYSTEM_SENDER
} from "./model.js"
import * as List from "./messageList.js"

/** Where a system line goes: a given buffer, or the current buffer of the current server. */
export interface Target {
  readonly server?: string
  readonly buffer?: string
}

export type Action =
  | { readonly _tag: "ServersLoaded"; readonly servers: ReadonlyArray<ServerRecord>; readonly stamp: number }
  | { readonly _tag: "ServerAdded"; readonly server: ServerRecord; readonly stamp: number }
  | { readonly _tag: "ServerUpdated"; readonly name: string; readonly server: ServerRecord }
  | { readonly _tag: "ServerHidden"; readonly name: string }
  | { readonly _tag: "ServerRemoved"; readonly name: string }
  | { readonly _tag: "SelectServer"; readonly name: string }
  | { readonly _tag: "CycleServer"; readonly delta: number }
  | { readonly _tag: "JumpServer"; readonly index: number }
  | { readonly _tag: "SelectBuffer"; readonly name: string }
  | { readonly _tag: "CycleBuffer"; readonly delta: number }
  | { readonly _tag: "JumpBuffer"; readonly index: number }
  | {
      readonly _tag: "OpenBuffer"
      readonly server: string
      readonly name: string
      readonly history?: ReadonlyArray<StoredMessage>
      readonly intro?: string
      readonly keyChange?: KeyChange | null
      readonly select: boolean
      readonly stamp: number
    }
  | { readonly _tag: "HideBuffer"; readonly server: string; readonly name: string }
  | { readonly _tag: "DeleteBuffer"; readonly server: string; readonly name: string }
  | { readonly _tag: "ClearSystem"; readonly server: string; readonly name: string }
  | { readonly _tag: "System"; readonly target?: Target; readonly text: string; readonly stamp: number }
  | { readonly _tag: "Sent"; readonly server: string; readonly buffer: string; readonly text: string; readonly stamp: number }
  | { readonly _tag: "Received"; readonly server: string; readonly sender: string; readonly text: string; readonly stamp: number }
  | { readonly _tag: "Broadcast"; readonly server: string; readonly sender: string; readonly text: string; readonly stamp: number }
  | { readonly _tag: "Connected"; readonly server: string; readonly motd: string; readonly stamp: number }
  | { readonly _tag: "Disconnected"; readonly server: string; readonly reason: string; readonly stamp: number }
  | { readonly _tag: "LoggedIn"; readonly server: string; readonly user: string; readonly permission: number; readonly stamp: number }
  | { readonly _tag: "LoggedOut"; readonly server: string; readonly stamp: number }
  | { readonly _tag: "UsersLoaded"; readonly server: string; readonly users: ReadonlyArray<OnlineUser> }
  | { readonly _tag: "UserLogin"; readonly server: string; readonly user: string; readonly permission: number }
  | { readonly _tag: "UserLogout"; readonly server: string; readonly user: string }
  | { readonly _tag: "PermissionChanged"; readonly server: string; readonly user: string; readonly permission: number; readonly stamp: number }
  | { readonly _tag: "DuplicateSession"; readonly server: string; readonly ip: string; readonly stamp: number }
  | { readonly _tag: "ShutdownScheduled"; readonly server: string; readonly at: number; readonly stamp: number }
  | { readonly _tag: "KeyChanged"; readonly server: string; readonly user: string; readonly change: KeyChange; readonly stamp: number }
  | { readonly _tag: "KeyTrusted"; readonly server: string; readonly user: string }
  | { readonly _tag: "Focus"; readonly focus: Focus }
  | { readonly _tag: "ToggleFocus" }
  | { readonly _tag: "ToggleSidebar" }
  | { readonly _tag: "ToggleUsers" }
  | { readonly _tag: "ToggleHelp" }
  | { readonly _tag: "ScrollHelp"; readonly delta: number }
  | { readonly _tag: "Scroll"; readonly delta: number }
  | { readonly _tag: "ScrollTo"; readonly where: "top" | "bottom" }
  | { readonly _tag: "ShowError"; readonly text: string; readonly info?: boolean }
  | { readonly _tag: "ClearError"; readonly seq: number }
  | { readonly _tag: "PopupOpen"; readonly popup: Popup }
  | { readonly _tag: "PopupInput"; readonly value: string }
  | { readonly _tag: "PopupClose" }
  | { readonly _tag: "BusyStart"; readonly id: number; readonly label: string }
  | { readonly _tag: "BusyEnd"; readonly id: number }
  | { readonly _tag: "HistoryPush"; readonly line: string }
  | { readonly _tag: "SetLayout"; readonly layout: Partial<Layout> }
  | { readonly _tag: "SetVerbose"; readonly verbose: boolean }

export const initialState = (options: { readonly verbose: boolean; readonly stamp: number; readonly debugBuffer?: boolean }): AppState => {
  const local = localServer()
  const base: AppState = {
    servers: [options.debugBuffer === true ? { ...local, buffers: [...local.buffers, emptyBuffer(LOCAL_DEBUG, true)] } : local],
    current: LOCAL,
    focus: "input",
    showSidebar: true,
    showUsers: null,
    help: false,
    helpScroll: 0,
    popups: [],
    error: null,
    busy: [],
    history: [],
    verbose: options.verbose,
    layout: DEFAULT_LAYOUT,
    seq: 0
  }
  const withLogo = addMessage(base, LOCAL, LOCAL_SYSTEM, "system", SYSTEM_SENDER, LOGO, options.stamp)
  return addMessage(withLogo, LOCAL, LOCAL_SYSTEM, "system", SYSTEM_SENDER, LOCAL_WELCOME, options.stamp)
}

// ---------------------------------------------------------------------------------------------
// Selectors

export const findServer = (state: AppState, name: string): Server | undefined => state.servers.find((s) => s.name === name)

export const currentServer = (state: AppState): Server => findServer(state, state.current) ?? state.servers[0]

export const visibleServers = (state: AppState): ReadonlyArray<Server> => state.servers.filter((s) => !s.hidden)

export const visibleBuffers = (server: Server): ReadonlyArray<Buffer> => server.buffers.filter((b) => !b.hidden)

export const currentBuffer = (state: AppState): Buffer => {
  const server = currentServer(state)
  return server.buffers.find((b) => b.name === server.current) ?? server.buffers[0]
}

export const systemBufferName = (server: Server): string => (server.local ? LOCAL_SYSTEM : REMOTE_SYSTEM)

/** Users column: forced by Ctrl-U, else shown while logged in. */
export const usersShown = (state: AppState): boolean => state.showUsers ?? currentServer(state).user !== null

export const activePopup = (state: AppState): Popup | undefined => state.popups[0]

/** Keys that move around the screen are ignored while a popup or the help page is open. */
export const blocked = (state: AppState): boolean => state.popups.length > 0 || state.help

export const totalUnread = (server: Server): number => Object.values(server.unread).reduce((a, b) => a + b, 0)

// ---------------------------------------------------------------------------------------------
// Helpers

const mapServer = (state: AppState, name: string, f: (server: Server) => Server): AppState => ({
  ...state,
  servers: state.servers.map((s) => (s.name === name ? f(s) : s))
})

const mapBuffer = (server: Server, name: string, f: (buffer: Buffer) => Buffer): Server => ({
  ...server,
  buffers: server.buffers.map((b) => (b.name === name ? f(b) : b))
})

const addMessage = (
  state: AppState,
  serverName: string,
  bufferName: string,
  kind: MessageKind,
  sender: string,
  text: string,
  stamp: number
): AppState => {
  const seq = state.seq + 1
  const message: Message = { seq, kind, sender, stamp, text }
  return {
    ...mapServer(state, serverName, (server) =>
      mapBuffer(server, bufferName, (b) => ({
        ...b,
        messages: List.insert(b.messages, message, MAX_MESSAGES),
        scroll: b.scroll > 0 ? b.scroll + 1 : 0
      }))
    ),
    seq
  }
}

const isViewing = (state: AppState, server: string, buffer: string): boolean => {
  const s = findServer(state, server)
  return state.current === server && s !== undefined && s.current === buffer && !state.help
}

const resolveTarget = (state: AppState, target: Target | undefined): { server: string; buffer: string } | undefined => {
  const server = findServer(state, target?.server ?? state.current) ?? currentServer(state)
  const wanted = target?.buffer ?? server.current
  const buffer = server.buffers.find((b) => b.name === wanted) ? wanted : systemBufferName(server)
  return { server: server.name, buffer }
}

/** Drops conversation buffers and per-account data (logout, disconnect). */
const resetAccount = (server: Server): Server => ({
  ...server,
  user: null,
  permission: null,
  users: [],
  unread: {},
  shutdownAt: null,
  buffers: server.buffers.filter((b) => b.system),
  current: systemBufferName(server)
})

/** The message starting the last `unread` ones in display order (by time, then arrival). */
const firstUnread = (buffer: Buffer, unread: number): number | null => {
  const n = List.size(buffer.messages)
  if (unread <= 0 || n === 0) return null
  return List.at(buffer.messages, Math.max(0, n - unread)).seq
}

const selectBuffer = (server: Server, name: string): Server => {
  const target = server.buffers.find((b) => b.name === name)
  if (target === undefined) return server
  const unread = server.unread[name] ?? 0
  const { [name]: _dropped, ...rest } = server.unread
  return {
    ...mapBuffer(server, name, (b) => ({ ...b, hidden: false, unreadMarker: firstUnread(b, unread), scroll: 0 })),
    current: name,
    unread: rest
  }
}

/** Moves to the buffer the server had selected, clearing its unread count. */
const enterServer = (state: AppState, name: string): AppState => {
  const server = findServer(state, name)
  if (server === undefined) return state
  return { ...mapServer(state, name, (s) => selectBuffer({ ...s, hidden: false }, s.current)), current: name }
}

const cycle = <A>(items: ReadonlyArray<A>, index: number, delta: number): A | undefined =>
  items.length === 0 ? undefined : items[(((index + delta) % items.length) + items.length) % items.length]

const sortUsers = (users: ReadonlyArray<OnlineUser>): ReadonlyArray<OnlineUser> =>
  [...users].sort((a, b) => b.permission - a.permission || a.name.localeCompare(b.name))

const messageKey = (m: Message): string => `${m.kind}|${Math.floor(m.stamp / 1000)}|${m.text}`

const countUnread = (state: AppState, server: string, sender: string): AppState =>
  mapServer(state, server, (s) => ({ ...s, unread: { ...s.unread, [sender]: (s.unread[sender] ?? 0) + 1 } }))

const storedToMessage = (m: StoredMessage, seq: number): Message => ({
  seq,
  kind: m.outgoing ? "self" : "peer",
  sender: m.outgoing ? SELF_SENDER : m.peer,
  stamp: m.stamp,
  text: m.text
})

// ---------------------------------------------------------------------------------------------

export const reduce = (state: AppState, action: Action): AppState => {
  switch (action._tag) {
    case "ServersLoaded": {
      let next = state
      for (const record of action.servers) next = reduce(next, { _tag: "ServerAdded", server: record, stamp: action.stamp })
      return next
    }
    case "ServerAdded": {
      const existing = findServer(state, action.server.name)
      if (existing !== undefined) return mapServer(state, existing.name, (s) => ({ ...s, hidden: false }))
      const added = { ...state, servers: [...state.servers, remoteServer(action.server)] }
      return addMessage(added, action.server.name, REMOTE_SYSTEM, "system", SYSTEM_SENDER, REMOTE_WELCOME, action.stamp)
    }
    case "ServerUpdated": {
      const { server } = action
      const next = mapServer(state, action.name, (s) => ({
        ...s,
        name: server.name,
        address: server.address,
        port: server.port,
        tls: server.tls
      }))
      return state.current === action.name ? { ...next, current: server.name } : next
    }
    case "ServerHidden":
    case "ServerRemoved": {
      const server = findServer(state, action.name)
      if (server === undefined || server.local) return state
      const servers =
        action._tag === "ServerRemoved"
          ? state.servers.filter((s) => s.name !== action.name)
          : state.servers.map((s) => (s.name === action.name ? { ...resetAccount(s), connected: false, hidden: true } : s))
      const next = { ...state, servers }
      return state.current === action.name ? enterServer(next, LOCAL) : next
    }
    case "SelectServer":
      return findServer(state, action.name) ? enterServer(state, action.name) : state
    case "CycleServer": {
      const servers = visibleServers(state)
      const index = servers.findIndex((s) => s.name === state.current)
      const target = cycle(servers, index, action.delta)
      return target ? enterServer(state, target.name) : state
    }
    case "JumpServer": {
      const target = visibleServers(state)[action.index]
      return target ? enterServer(state, target.name) : state
    }
    case "SelectBuffer":
      return mapServer(state, state.current, (s) => selectBuffer(s, action.name))
    case "CycleBuffer": {
      const server = currentServer(state)
      const buffers = visibleBuffers(server)
      const target = cycle(
        buffers,
        buffers.findIndex((b) => b.name === server.current),
        action.delta
      )
      return target ? mapServer(state, server.name, (s) => selectBuffer(s, target.name)) : state
    }
    case "JumpBuffer": {
      const server = currentServer(state)
      const target = visibleBuffers(server)[action.index]
      return target ? mapServer(state, server.name, (s) => selectBuffer(s, target.name)) : state
    }
    case "OpenBuffer": {
      const server = findServer(state, action.server)
      if (server === undefined) return state
      let next = state
      if (!server.buffers.some((b) => b.name === action.name)) {
        if (server.buffers.length >= MAX_BUFFERS) return reduce(state, { _tag: "ShowError", text: `too many buffers open (${MAX_BUFFERS})` })
        let seq = state.seq
        const history = (action.history ?? []).map((m) => storedToMessage(m, ++seq))
        const buffer: Buffer = {
          ...emptyBuffer(action.name, false),
          messages: List.fromArray(history.slice(-MAX_MESSAGES)),
          keyChange: action.keyChange ?? null
        }
        next = { ...mapServer(state, server.name, (s) => ({ ...s, buffers: [...s.buffers, buffer] })), seq }
        if (history.length === 0 && action.intro !== undefined)
          next = addMessage(next, server.name, action.name, "system", SYSTEM_SENDER, action.intro, action.stamp)
      } else {
        let seq = state.seq
        next = mapServer(state, server.name, (s) =>
          mapBuffer(s, action.name, (b) => {
            // Merge stored history into what is already shown, without duplicates.
            const seen = new Set(List.toArray(b.messages).map(messageKey))
            const added = (action.history ?? []).map((m) => storedToMessage(m, 0)).filter((m) => !seen.has(messageKey(m)))
            const merged =
              added.length === 0
                ? b.messages
                : List.fromArray([...List.toArray(b.messages), ...added.map((m) => ({ ...m, seq: ++seq }))].slice(-MAX_MESSAGES))
            return {
              ...b,
              messages: merged,
              hidden: action.select ? false : b.hidden,
              keyChange: action.keyChange === undefined ? b.keyChange : action.keyChange
            }
          })
        )
        next = { ...next, seq }
      }
      if (!action.select) return next
      return state.current === server.name
        ? mapServer(next, server.name, (s) => selectBuffer(s, action.name))
        : enterServer(mapServer(next, server.name, (s) => ({ ...s, current: action.name })), server.name)
    }
    case "HideBuffer":
    case "DeleteBuffer": {
      const server = findServer(state, action.server)
      const buffer = server?.buffers.find((b) => b.name === action.name)
      if (server === undefined || buffer === undefined || buffer.system) return state
      const updated: Server =
        action._tag === "DeleteBuffer"
          ? { ...server, buffers: server.buffers.filter((b) => b.name !== action.name) }
          : mapBuffer(server, action.name, (b) => ({ ...b, hidden: true }))
      const moved = server.current === action.name ? selectBuffer(updated, systemBufferName(server)) : updated
      return mapServer(state, server.name, () => moved)
    }
    case "ClearSystem":
      return mapServer(state, action.server, (s) =>
        mapBuffer(s, action.name, (b) => ({ ...b, messages: List.filter(b.messages, (m) => m.kind !== "system"), unreadMarker: null, scroll: 0 }))
      )
    case "System": {
      const target = resolveTarget(state, action.target)
      if (target === undefined) return state
      return addMessage(state, target.server, target.buffer, "system", SYSTEM_SENDER, action.text, action.stamp)
    }
    case "Sent":
      return addMessage(state, action.server, action.buffer, "self", SELF_SENDER, action.text, action.stamp)
    case "Received": {
      const server = findServer(state, action.server)
      if (server === undefined) return state
      let next = state
      if (!server.buffers.some((b) => b.name === action.sender)) {
        // A first message from someone opens their conversation (unselected) when there is room.
        if (server.buffers.length >= MAX_BUFFERS) return countUnread(state, server.name, action.sender)
        next = mapServer(state, server.name, (s) => ({ ...s, buffers: [...s.buffers, emptyBuffer(action.sender, false)] }))
      }
      next = addMessage(next, server.name, action.sender, "peer", action.sender, action.text, action.stamp)
      if (isViewing(state, server.name, action.sender)) return next
      return countUnread(next, server.name, action.sender)
    }
    case "Broadcast":
      return addMessage(state, action.server, REMOTE_SYSTEM, "broadcast", action.sender, action.text, action.stamp)
    case "Connected": {
      const next = mapServer(state, action.server, (s) => ({ ...s, connected: true, motd: action.motd }))
      const text = action.motd === "" ? "Connected to the server." : `Connected to the server.\nServer MOTD (message of the day):\n${action.motd}`
      return addMessage(next, action.server, REMOTE_SYSTEM, "system", SYSTEM_SENDER, text, action.stamp)
    }
    case "Disconnected": {
      const server = findServer(state, action.server)
      if (server === undefined || !server.connected) return state
      const next = mapServer(state, action.server, (s) => ({ ...resetAccount(s), connected: false, motd: null }))
      const text = action.reason === "" ? "You are no longer connected to this server!" : `You are no longer connected to this server: ${action.reason}!`
      return addMessage(next, action.server, REMOTE_SYSTEM, "system", SYSTEM_SENDER, text, action.stamp)
    }
    case "LoggedIn": {
      const next = mapServer(state, action.server, (s) => ({ ...s, user: action.user, permission: action.permission }))
      return addMessage(
        next,
        action.server,
        REMOTE_SYSTEM,
        "system",
        SYSTEM_SENDER,
        `Welcome, ${action.user}! Logged in with permission level ${action.permission}.`,
        action.stamp
      )
    }
    case "LoggedOut": {
      const next = mapServer(state, action.server, resetAccount)
      return addMessage(next, action.server, REMOTE_SYSTEM, "system", SYSTEM_SENDER, "You are now logged out.", action.stamp)
    }
    case "UsersLoaded":
      return mapServer(state, action.server, (s) => ({ ...s, users: sortUsers(action.users) }))
    case "UserLogin":
      return mapServer(state, action.server, (s) => ({
        ...s,
        users: sortUsers([...s.users.filter((u) => u.name !== action.user), { name: action.user, permission: action.permission }])
      }))
    case "UserLogout":
      return mapServer(state, action.server, (s) => ({ ...s, users: s.users.filter((u) => u.name !== action.user) }))
    case "PermissionChanged": {
      const server = findServer(state, action.server)
      if (server === undefined) return state
      const mine = server.user === action.user
      const next = mapServer(state, action.server, (s) => ({
        ...s,
        permission: mine ? action.permission : s.permission,
        users: sortUsers(s.users.map((u) => (u.name === action.user ? { ...u, permission: action.permission } : u)))
      }))
      return mine
        ? addMessage(
            next,
            action.server,
            REMOTE_SYSTEM,
            "system",
            SYSTEM_SENDER,
            `Your permission level in the server has changed to ${action.permission}!`,
            action.stamp
          )
        : next
    }
    case "DuplicateSession":
      return addMessage(
        state,
        action.server,
        REMOTE_SYSTEM,
        "system",
        SYSTEM_SENDER,
        `Someone has tried to log in with your account from ${action.ip}!`,
        action.stamp
      )
    case "ShutdownScheduled": {
      const next = mapServer(state, action.server, (s) => ({ ...s, shutdownAt: action.at }))
      return addMessage(
        next,
        action.server,
        REMOTE_SYSTEM,
        "system",
        SYSTEM_SENDER,
        `Server shutdown scheduled at ${formatDateTime(action.at)}!`,
        action.stamp
      )
    }
    case "KeyChanged": {
      const server = findServer(state, action.server)
      if (server === undefined) return state
      // The same change reported again (another REQ, or the reply to the open that set it) adds no line.
      const shown = server.buffers.find((b) => b.name === action.user)?.keyChange
      if (shown?.offered === action.change.offered && shown.pinned === action.change.pinned) return state
      const next = mapServer(state, action.server, (s) => mapBuffer(s, action.user, (b) => ({ ...b, keyChange: action.change })))
      return addMessage(
        next,
        action.server,
        server.buffers.some((b) => b.name === action.user) ? action.user : REMOTE_SYSTEM,
        "system",
        SYSTEM_SENDER,
        `The server now offers a different key for ${action.user}! Messages keep using the pinned key; compare fingerprints with /fingerprint ${action.user}, accept the new key with /trust ${action.user}.`,
        action.stamp
      )
    }
    case "KeyTrusted":
      return mapServer(state, action.server, (s) => mapBuffer(s, action.user, (b) => ({ ...b, keyChange: null })))
    case "Focus":
      return { ...state, focus: action.focus }
    case "ToggleFocus":
      return { ...state, focus: state.focus === "input" ? "messages" : "input" }
    case "ToggleSidebar":
      return {
        ...state,
        showSidebar: !state.showSidebar,
        focus: state.showSidebar && (state.focus === "buffers" || state.focus === "servers") ? "input" : state.focus
      }
    case "ToggleUsers":
      return { ...state, showUsers: !usersShown(state) }
    case "ToggleHelp":
      return { ...state, help: !state.help, helpScroll: 0 }
    case "ScrollHelp":
      return { ...state, helpScroll: Math.max(0, state.helpScroll + action.delta) }
    case "Scroll": {
      const server = currentServer(state)
      return mapServer(state, server.name, (s) => mapBuffer(s, s.current, (b) => ({ ...b, scroll: Math.max(0, b.scroll + action.delta) })))
    }
    case "ScrollTo": {
      const server = currentServer(state)
      return mapServer(state, server.name, (s) =>
        mapBuffer(s, s.current, (b) => ({ ...b, scroll: action.where === "bottom" ? 0 : Number.MAX_SAFE_INTEGER }))
      )
    }
    case "ShowError":
      return { ...state, error: { text: action.text, seq: state.seq + 1, info: action.info ?? false }, seq: state.seq + 1 }
    case "ClearError":
      return state.error?.seq === action.seq ? { ...state, error: null } : state
    case "PopupOpen":
      return { ...state, popups: [...state.popups, action.popup] }
    case "PopupInput": {
      const [first, ...rest] = state.popups
      if (first === undefined || first._tag === "Confirm") return state
      return { ...state, popups: [{ ...first, value: action.value }, ...rest] }
    }
    case "PopupClose":
      return { ...state, popups: state.popups.slice(1) }
    case "BusyStart":
      return { ...state, busy: [...state.busy, { id: action.id, label: action.label }] }
    case "BusyEnd":
      return { ...state, busy: state.busy.filter((b) => b.id !== action.id) }
    case "HistoryPush":
      return action.line === "" || state.history[state.history.length - 1] === action.line
        ? state
        : { ...state, history: [...state.history, action.line].slice(-500) }
    case "SetLayout":
      return { ...state, layout: { ...state.layout, ...action.layout } }
    case "SetVerbose":
      return { ...state, verbose: action.verbose }
  }
}

// ---------------------------------------------------------------------------------------------
// Time formatting (local time, like the original)

const pad = (n: number) => String(n).padStart(2, "0")

/** `time.Kitchen` zero-padded: `06:19PM`. */
export const formatKitchen = (stamp: number): string => {
  const d = new Date(stamp)
  const h = d.getHours() % 12 === 0 ? 12 : d.getHours() % 12
  return `${pad(h)}:${pad(d.getMinutes())}${d.getHours() < 12 ? "AM" : "PM"}`
}

export const formatDay = (stamp: number): string => {
  const d = new Date(stamp)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export const formatDateTime = (stamp: number): string => {
  const d = new Date(stamp)
  return `${formatDay(stamp)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}
