/**
 * The input line: text, cursor and the walk through earlier lines (Up only starts it while the
 * line is empty, like the original; Esc forgets it). The cursor moves, and Backspace/Delete
 * remove, a whole grapheme (an emoji with its skin tone, a letter with its accents), so the line
 * never holds half a character; the length limit cuts between graphemes too.
 */
import { useMemo, useReducer, useRef } from "react"
import { cutGraphemes, nextBoundary, previousBoundary } from "../text.js"

export interface LineEditor {
  readonly value: string
  readonly cursor: number
  /** Inserts at the cursor what fits under MAX_INPUT (whole graphemes); false when not all of it fit. */
  readonly insert: (text: string) => boolean
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

/** Longest input line, in UTF-16 code units (most characters count 1, an emoji 2 or more). */
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
      insert: (text) => {
        const piece = cutGraphemes(text, Math.max(0, MAX_INPUT - ref.current.value.length))
        if (piece !== "")
          edit((s) => ({ value: s.value.slice(0, s.cursor) + piece + s.value.slice(s.cursor), cursor: s.cursor + piece.length, browsing: null }))
        return piece.length === text.length
      },
      backspace: () =>
        edit((s) => {
          if (s.cursor === 0) return s
          const from = previousBoundary(s.value, s.cursor)
          return { value: s.value.slice(0, from) + s.value.slice(s.cursor), cursor: from, browsing: null }
        }),
      deleteForward: () =>
        edit((s) =>
          s.cursor >= s.value.length ? s : { ...s, value: s.value.slice(0, s.cursor) + s.value.slice(nextBoundary(s.value, s.cursor)), browsing: null }
        ),
      deleteWord: () =>
        edit((s) => {
          const before = s.value.slice(0, s.cursor).replace(/\S*\s*$/u, "")
          return { value: before + s.value.slice(s.cursor), cursor: before.length, browsing: null }
        }),
      move: (to) =>
        edit((s) => ({
          ...s,
          cursor:
            to === "home"
              ? 0
              : to === "end"
                ? s.value.length
                : to === "left"
                  ? previousBoundary(s.value, s.cursor)
                  : nextBoundary(s.value, s.cursor)
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
