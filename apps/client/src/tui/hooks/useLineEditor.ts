/**
 * The input line: text, cursor and the walk through earlier lines (Up only starts it while the
 * line is empty, like the original; Esc forgets it).
 */
import { useMemo, useReducer, useRef } from "react"

export interface LineEditor {
  readonly value: string
  readonly cursor: number
  readonly insert: (text: string) => void
  readonly backspace: () => void
  readonly deleteForward: () => void
  readonly deleteWord: () => void
  readonly move: (to: "left" | "right" | "home" | "end") => void
  readonly set: (value: string) => void
  readonly clear: () => void
  /** Up: an older line; false when there is none or the line is being edited. */
  readonly historyPrev: () => boolean
  readonly historyNext: () => boolean
}

interface LineState {
  readonly value: string
  readonly cursor: number
  /** Index into history while browsing, else null. */
  readonly browsing: number | null
}

export const MAX_INPUT = 2047

export const useLineEditor = (history: ReadonlyArray<string>): LineEditor => {
  // The line lives in a ref so that keys arriving in the same tick (a paste followed by Enter)
  // each see the result of the previous one; the counter only asks React to draw again.
  const ref = useRef<LineState>({ value: "", cursor: 0, browsing: null })
  const [, redraw] = useReducer((n: number) => n + 1, 0)
  const historyRef = useRef(history)
  historyRef.current = history

  return useMemo(() => {
    const edit = (f: (s: LineState) => LineState) => {
      const next = f(ref.current)
      if (next === ref.current) return
      ref.current = next
      redraw()
    }
    const editor: LineEditor = {
      get value() {
        return ref.current.value
      },
      get cursor() {
        return ref.current.cursor
      },
      insert: (text) =>
        edit((s) => {
          const piece = text.slice(0, Math.max(0, MAX_INPUT - s.value.length))
          if (piece === "") return s
          return { value: s.value.slice(0, s.cursor) + piece + s.value.slice(s.cursor), cursor: s.cursor + piece.length, browsing: null }
        }),
      backspace: () =>
        edit((s) => (s.cursor === 0 ? s : { value: s.value.slice(0, s.cursor - 1) + s.value.slice(s.cursor), cursor: s.cursor - 1, browsing: null })),
      deleteForward: () =>
        edit((s) => (s.cursor >= s.value.length ? s : { ...s, value: s.value.slice(0, s.cursor) + s.value.slice(s.cursor + 1), browsing: null })),
      deleteWord: () =>
        edit((s) => {
          const before = s.value.slice(0, s.cursor).replace(/\S*\s*$/, "")
          return { value: before + s.value.slice(s.cursor), cursor: before.length, browsing: null }
        }),
      move: (to) =>
        edit((s) => ({
          ...s,
          cursor:
            to === "home" ? 0 : to === "end" ? s.value.length : Math.min(s.value.length, Math.max(0, s.cursor + (to === "left" ? -1 : 1)))
        })),
      set: (value) => edit(() => ({ value, cursor: value.length, browsing: null })),
      clear: () => edit((s) => (s.value === "" && s.browsing === null ? s : { value: "", cursor: 0, browsing: null })),
      historyPrev: () => {
        const h = historyRef.current
        const s = ref.current
        if (h.length === 0 || (s.browsing === null && s.value !== "")) return false
        const index = s.browsing === null ? h.length - 1 : Math.max(0, s.browsing - 1)
        edit(() => ({ value: h[index], cursor: h[index].length, browsing: index }))
        return true
      },
      historyNext: () => {
        const h = historyRef.current
        const s = ref.current
        if (s.browsing === null) return false
        const index = s.browsing + 1
        edit(() => (index >= h.length ? { value: "", cursor: 0, browsing: null } : { value: h[index], cursor: h[index].length, browsing: index }))
        return true
      }
    }
    return editor
  }, [])
}
