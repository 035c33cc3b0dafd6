/**
 * Turns a buffer's messages into screen lines: day separators, the UNREAD marker, a coloured
 * `[Sender] at 06:19PM: ` header and the text wrapped to the view's width by display width.
 * Only what is on screen is built: the walk starts at the newest message and stops once the
 * screen (and the lines scrolled back) is full; each message is wrapped once per width (cached).
 */
import type { Buffer, Message } from "../state/model.js"
import * as List from "../state/messageList.js"
import { formatDay, formatKitchen } from "../state/reducer.js"
import { cells, fit, wrap } from "../text.js"
export interface Segment {
  readonly text: string
  readonly color?: string
  readonly bold?: boolean
  readonly dim?: boolean
  readonly italic?: boolean
  readonly underline?: boolean
}

export interface Line {
  readonly key: string
  readonly segments: ReadonlyArray<Segment>
}

export const SENDER_COLORS: Record<Message["kind"], string> = {
  self: "yellow",
  peer: "blue",
  system: "magenta",
  broadcast: "red"
}

const INDENT = "    "

/** The lines of one message at one width; kept while the message lives and the width stays. */
const wrapped = new WeakMap<Message, { readonly width: number; readonly lines: ReadonlyArray<Line> }>()

const linesOf = (m: Message, width: number): ReadonlyArray<Line> => {
  const cached = wrapped.get(m)
  if (cached !== undefined && cached.width === width) return cached.lines
  const sender = `[${fit(m.sender, Math.max(1, width - 15))}]`
  const time = formatKitchen(m.stamp)
  const headerLength = cells(sender) + 4 + time.length + 2
  const pieces = wrap(m.text, Math.max(1, width - headerLength), Math.max(1, width - INDENT.length))
  const lines = pieces.map((piece, j): Line => {
    const body: Segment = { text: piece, color: m.kind === "broadcast" ? "red" : undefined, bold: m.kind === "broadcast" }
    return {
      key: `${m.seq}-${j}`,
      segments:
        j === 0
          ? [
              { text: sender, color: SENDER_COLORS[m.kind], bold: true },
              { text: " at " },
              { text: time, dim: true, underline: true },
              { text: ": " },
              body
            ]
          : [{ text: INDENT }, body]
    }
  })
  wrapped.set(m, { width, lines })
  return lines
}

/** The lines drawn above message `i`: its day separator and the UNREAD marker, when due. */
const decorations = (buffer: Buffer, i: number): ReadonlyArray<Line> => {
  const m = List.at(buffer.messages, i)
  const out: Array<Line> = []
  const day = formatDay(m.stamp)
  if (i === 0 || formatDay(List.at(buffer.messages, i - 1).stamp) !== day)
    out.push({ key: `day-${m.seq}`, segments: [{ text: `--- ${day} ---`, color: "green", italic: true }] })
  if (m.seq === buffer.unreadMarker) out.push({ key: "unread", segments: [{ text: "--- UNREAD ---", color: "#ff8700", bold: true }] })
  return out
}

/**
 * The `height` lines to show when scrolled `scroll` lines back (clamped to the first line), and
 * the clamped scroll. Builds only the lines of the messages on screen or scrolled past.
 */
export const visibleLines = (
  buffer: Buffer,
  width: number,
  height: number,
  scroll: number
): { readonly lines: ReadonlyArray<Line>; readonly scroll: number } => {
  const want = height + Math.max(0, scroll)
  const blocks: Array<ReadonlyArray<Line>> = []
  let collected = 0
  for (let i = List.size(buffer.messages) - 1; i >= 0 && collected < want; i--) {
    const block = [...decorations(buffer, i), ...linesOf(List.at(buffer.messages, i), width)]
    blocks.push(block)
    collected += block.length
  }
  const all: Array<Line> = []
  for (let b = blocks.length - 1; b >= 0; b--) all.push(...blocks[b])
  const s = Math.min(Math.max(0, scroll), Math.max(0, all.length - height))
  return { lines: all.slice(Math.max(0, all.length - height - s), all.length - s), scroll: s }
}
