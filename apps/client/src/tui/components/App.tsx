/** @jsxRuntime automatic @jsxImportSource react */
/**
 * The whole screen: buffer and server lists, notification bar, messages (or help), online users,
 * status line and the input line (or the front popup), sized to the terminal; and the key handler
 * that resolves every press through the bindings table.
 */
import { Box } from "ink"
import { useCallback, useState } from "react"
import type { Controller } from "../controller.js"
import { useErrorTimeout } from "../hooks/useErrorTimeout.js"
import { useKeypress } from "../hooks/useKeypress.js"
import { MAX_INPUT, useLineEditor } from "../hooks/useLineEditor.js"
import { useStore } from "../hooks/useStore.js"
import { type Size, useTerminalSize } from "../hooks/useTerminalSize.js"
import { type Command, resolve } from "../keys/bindings.js"
import type { KeyPress } from "../keys/parseKey.js"
import type { AppState, Popup } from "../state/model.js"
import { currentBuffer, currentServer, usersShown, visibleBuffers, visibleServers } from "../state/reducer.js"
import { previousBoundary } from "../text.js"
import { BufferList, SHORTCUTS } from "./BufferList.js"
import { HelpOverlay } from "./HelpOverlay.js"
import { InputLine } from "./InputLine.js"
import { MessageView } from "./MessageView.js"
import { NotificationBar } from "./NotificationBar.js"
import { popupHeight, PopupView } from "./PopupView.js"
import { ServerList } from "./ServerList.js"
import { StatusLine } from "./StatusLine.js"
import { UsersPanel } from "./UsersPanel.js"

/** Buffer names of the current server starting (case-insensitively) with `prefix`. */
export const switcherCandidates = (state: AppState, prefix: string): ReadonlyArray<string> =>
  currentServer(state)
    .buffers.map((b) => b.name)
    .filter((n) => n.toLowerCase().startsWith(prefix.toLowerCase()))

export interface Layout {
  readonly sidebar: number
  readonly users: number
  readonly center: number
  readonly main: number
  readonly bottom: number
  readonly notification: number
  readonly buffers: number
  readonly servers: number
}

export const computeLayout = (state: AppState, size: Size): Layout => {
  const popup = state.popups[0]
  const height = Math.max(10, size.rows - 1)
  const bottom = popup !== undefined ? popupHeight(popup, popup._tag === "Switcher" ? switcherCandidates(state, popup.value) : []) : state.help ? 0 : 3
  const main = Math.max(4, height - bottom - 1)
  const sidebar = state.showSidebar ? Math.min(state.layout.sidebarWidth, Math.floor(size.columns / 3)) : 0
  const users = usersShown(state) && size.columns - sidebar >= 50 ? Math.min(state.layout.usersWidth, Math.floor(size.columns / 4)) : 0
  const server = currentServer(state)
  const notification = Object.values(server.unread).some((n) => n > 0) ? 1 : 0
  const buffers = Math.max(3, Math.ceil(main * 0.6))
  return { sidebar, users, center: size.columns - sidebar - users, main, bottom, notification, buffers, servers: main - buffers }
}

export const App = ({ controller, size: fixedSize }: { controller: Controller; size?: Size }) => {
  const state = useStore(controller.store)
  const size = useTerminalSize(fixedSize)
  const editor = useLineEditor(state.history)
  // Ctrl-R: the renderer forgets the screen; a changed frame makes Ink draw all of it again.
  const [redraws, setRedraws] = useState(0)
  const { dispatch } = controller
  useErrorTimeout(state.error, dispatch)
  const layout = computeLayout(state, size)
  const page = Math.max(1, layout.main - layout.notification - 4)

  const run = useCallback(
    (command: Command, k: KeyPress) => {
      const s = controller.state
      switch (command) {
        case "quit":
          return controller.quit()
        case "help":
          return dispatch({ _tag: "ToggleHelp" })
        case "toggleFocus":
          return dispatch({ _tag: "ToggleFocus" })
        case "focusBuffers":
        case "focusServers":
          if (!s.showSidebar) dispatch({ _tag: "ToggleSidebar" })
          return dispatch({ _tag: "Focus", focus: command === "focusBuffers" ? "buffers" : "servers" })
        case "switcher":
          return dispatch({ _tag: "PopupOpen", popup: { _tag: "Switcher", value: "" } })
        case "prevBuffer":
        case "nextBuffer":
          return dispatch({ _tag: "CycleBuffer", delta: command === "prevBuffer" ? -1 : 1 })
        case "prevServer":
        case "nextServer":
          return dispatch({ _tag: "CycleServer", delta: command === "prevServer" ? -1 : 1 })
        case "jumpBuffer":
          return dispatch({ _tag: "JumpBuffer", index: Number(k.name) - 1 })
        case "toggleSidebar":
          return dispatch({ _tag: "ToggleSidebar" })
        case "toggleUsers":
          return dispatch({ _tag: "ToggleUsers" })
        case "redraw":
          controller.onRedraw()
          return setRedraws((n) => n + 1)
        case "pageUp":
          return dispatch({ _tag: "Scroll", delta: page })
        case "pageDown":
          return dispatch({ _tag: "Scroll", delta: -page })
        case "ignore":
          return
        case "submit":
          controller.submit(editor.value)
          return editor.clear()
        case "complete": {
          const result = controller.complete(editor.value)
          editor.set(result.line)
          if (result.candidates.length > 1) dispatch({ _tag: "ShowError", text: result.candidates.join("  "), info: true })
          return
        }
        case "historyPrev":
          editor.historyPrev()
          return
        case "historyNext":
          editor.historyNext()
          return
        case "clearInput":
          return editor.clear()
        case "edit":
          return
        case "newline":
          return editor.insert("\n")
        case "lineUp":
          return dispatch({ _tag: "Scroll", delta: 1 })
        case "lineDown":
          return dispatch({ _tag: "Scroll", delta: -1 })
        case "scrollEnd":
          return dispatch({ _tag: "ScrollTo", where: "bottom" })
        case "scrollTop":
          return dispatch({ _tag: "ScrollTo", where: "top" })
        case "listPrev":
        case "listNext": {
          const delta = command === "listPrev" ? -1 : 1
          return dispatch(s.focus === "servers" ? { _tag: "CycleServer", delta } : { _tag: "CycleBuffer", delta })
        }
        case "listJump": {
          const index = SHORTCUTS.indexOf(k.text)
          if (s.focus === "servers") {
            const target = visibleServers(s)[index]
            if (target) dispatch({ _tag: "SelectServer", name: target.name })
          } else {
            const target = visibleBuffers(currentServer(s))[index]
            if (target) dispatch({ _tag: "SelectBuffer", name: target.name })
          }
          return
        }
        case "listNew":
          return s.focus === "servers" ? controller.newServer() : controller.newBuffer()
        case "listHide":
          return s.focus === "servers" ? controller.hideServer() : controller.hideBuffer()
        case "listDelete":
          return s.focus === "servers" ? controller.deleteServer() : controller.deleteBuffer()
        case "back":
          return dispatch({ _tag: "Focus", focus: "input" })
      }
    },
    [controller, dispatch, editor, page]
  )

  const popupKey = (popup: Popup, k: KeyPress) => {
    if (popup._tag === "Confirm") {
      if (k.text === "y" || k.text === "Y") controller.answer(true)
      else if (k.text === "n" || k.text === "N") controller.answer(false)
      else if (k.name === "return" && !k.meta) controller.answer(popup.enter)
      else if (k.name === "escape") controller.answer(null)
      return
    }
    const value = popup.value
    // A paste into a prompt takes its first line (a prompt is one line).
    if (k.name === "paste") return dispatch({ _tag: "PopupInput", value: value + (k.text.split("\n")[0] ?? "") })
    if (k.name === "escape") return controller.answer(null)
    if (k.name === "backspace" || (k.ctrl && k.name === "h")) return dispatch({ _tag: "PopupInput", value: value.slice(0, previousBoundary(value, value.length)) })
    if (k.ctrl && k.name === "u") return dispatch({ _tag: "PopupInput", value: "" })
    if (popup._tag === "Switcher") {
      const candidates = switcherCandidates(controller.state, value)
      if (k.name === "tab" && candidates.length > 0) {
        const common = candidates.reduce((a, b) => {
          let i = 0
          while (i < a.length && i < b.length && a[i].toLowerCase() === b[i].toLowerCase()) i++
          return a.slice(0, i)
        })
        return dispatch({ _tag: "PopupInput", value: candidates.length === 1 ? candidates[0] : common })
      }
      if (k.name === "return") {
        const exact = candidates.find((c) => c.toLowerCase() === value.toLowerCase())
        const target = exact ?? (candidates.length === 1 ? candidates[0] : undefined)
        controller.answer(null)
        if (target === undefined) return controller.showError(`no buffer called ${value}`)
        return dispatch({ _tag: "SelectBuffer", name: target })
      }
    } else if (k.name === "return") return controller.answer(value)
    if (k.text !== "" && !k.ctrl && !k.meta) dispatch({ _tag: "PopupInput", value: value + k.text })
  }

  useKeypress((k) => {
    const s = controller.state
    if (k.ctrl && k.name === "q") return controller.quit()
    const popup = s.popups[0]
    if (popup !== undefined) return popupKey(popup, k)
    if (s.help) {
      const b = resolve("help", k, false)
      if (b === undefined) return
      if (b.command === "back") return dispatch({ _tag: "ToggleHelp" })
      const delta = b.command === "lineUp" ? -1 : b.command === "lineDown" ? 1 : b.command === "pageUp" ? -page : page
      return dispatch({ _tag: "ScrollHelp", delta })
    }
    if (k.name === "paste") {
      // One input, whole or not at all: its lines go into the input as with Alt-Enter.
      if (s.focus !== "input") dispatch({ _tag: "Focus", focus: "input" })
      if (editor.value.length + k.text.length > MAX_INPUT)
        return controller.showError(
          `the paste is too long for the input (${k.text.length} characters, it holds ${MAX_INPUT}); nothing was pasted, paste it in parts`
        )
      editor.insert(k.text)
      return
    }
    const binding = resolve(s.focus, k, true)
    if (binding !== undefined && binding.command !== "edit") return run(binding.command, k)
    if (s.focus !== "input") return
    if (k.text !== "" && !k.ctrl && !k.meta) {
      if (!editor.insert(k.text)) controller.showError(`the input holds ${MAX_INPUT} characters; the rest was not added`)
      return
    }
    if (k.name === "backspace" || (k.ctrl && k.name === "h")) return editor.backspace()
    if (k.name === "delete" || (k.ctrl && k.name === "d")) return editor.deleteForward()
    if (k.ctrl && k.name === "w") return editor.deleteWord()
    if (k.name === "left" || k.name === "right" || k.name === "home" || k.name === "end") return editor.move(k.name)
    if (k.ctrl && k.name === "a") return editor.move("home")
    if (k.ctrl && k.name === "e") return editor.move("end")
  })

  const server = currentServer(state)
  const buffer = currentBuffer(state)
  const popup = state.popups[0]
  const height = layout.main - layout.notification
  return (
    <Box flexDirection="column" width={size.columns} height={Math.max(10, size.rows - 1)}>
      {state.help ? (
        <HelpOverlay commands={controller.commands} scroll={state.helpScroll} width={size.columns} height={layout.main} />
      ) : (
        <Box flexDirection="row" height={layout.main} flexShrink={0}>
          {layout.sidebar > 0 ? (
            <Box flexDirection="column" width={layout.sidebar} flexShrink={0}>
              <BufferList server={server} focused={state.focus === "buffers"} width={layout.sidebar} height={layout.buffers} />
              <ServerList state={state} focused={state.focus === "servers"} width={layout.sidebar} height={layout.servers} />
            </Box>
          ) : null}
          <Box flexDirection="column" width={layout.center} flexShrink={0}>
            {layout.notification > 0 ? <NotificationBar server={server} /> : null}
            <MessageView server={server} buffer={buffer} focused={state.focus === "messages"} width={layout.center} height={height} />
          </Box>
          {layout.users > 0 ? <UsersPanel server={server} width={layout.users} height={layout.main} /> : null}
        </Box>
      )}
      <StatusLine state={state} redraws={redraws} />
      {popup !== undefined ? (
        <PopupView popup={popup} width={size.columns} candidates={popup._tag === "Switcher" ? switcherCandidates(state, popup.value) : []} />
      ) : state.help ? null : (
        <InputLine user={server.user} value={editor.value} cursor={editor.cursor} focused={state.focus === "input"} width={size.columns} />
      )}
    </Box>
  )
}
