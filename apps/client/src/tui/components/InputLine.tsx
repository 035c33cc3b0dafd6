/** @jsxRuntime automatic @jsxImportSource react */
/**
 * ` (alice) > text` with an inverse cursor, or the green placeholder. The text scrolls sideways
 * by display width so the cursor stays in view; it is drawn grapheme by grapheme (text.ts), so
 * no character pushes the border.
 */
import { Box, Text } from "ink"
import { cells, drawable, graphemes } from "../text.js"

interface Piece {
  /** UTF-16 index of the grapheme in the value. */
  readonly at: number
  readonly shown: string
  readonly cells: number
}

const pieces = (value: string): Array<Piece> => {
  const out: Array<Piece> = []
  let at = 0
  for (const g of graphemes(value)) {
    // Newlines (Alt-Enter) show as ↵ so the line keeps its height and the cursor its column.
    const shown = g === "\n" || g === "\r\n" ? "↵" : drawable(g)
    out.push({ at, shown, cells: cells(shown) })
    at += g.length
  }
  return out
}

/** The pieces to draw in `room` cells so that the one at the cursor (or the end) is visible. */
export const inputWindow = (value: string, cursor: number, room: number): { before: string; atCursor: string; after: string } => {
  const all = pieces(value)
  let c = all.findIndex((p) => p.at >= cursor)
  if (c === -1) c = all.length
  const cursorCells = Math.max(1, all[c]?.cells ?? 1)
  let start = c
  let used = cursorCells
  while (start > 0 && used + all[start - 1].cells <= room) used += all[--start].cells
  let end = c + 1
  while (end < all.length && used + all[end].cells <= room) used += all[end++].cells
  const text = (from: number, to: number) =>
    all
      .slice(from, to)
      .map((p) => p.shown)
      .join("")
  return { before: text(start, c), atCursor: all[c]?.shown || " ", after: text(c + 1, end) }
}

export const InputLine = ({
  user,
  value,
  cursor,
  focused,
  width
}: {
  user: string | null
  value: string
  cursor: number
  focused: boolean
  width: number
}) => {
  const label = user === null ? " > " : ` (${user}) > `
  const room = Math.max(1, width - 2 - label.length - 1)
  const { before, atCursor, after } = inputWindow(value, cursor, room)
  return (
    <Box borderStyle="round" borderColor={focused ? "cyan" : "gray"} width={width} height={3} flexShrink={0}>
      <Text wrap="truncate">
        <Text bold>{label}</Text>
        {value === "" ? (
          <Text>
            {focused ? <Text inverse> </Text> : null}
            <Text color="green">Write here...</Text>
          </Text>
        ) : (
          <Text>
            {before}
            {focused ? <Text inverse>{atCursor}</Text> : atCursor === " " && cursor >= value.length ? "" : atCursor}
            {after}
          </Text>
        )}
      </Text>
    </Box>
  )
}
