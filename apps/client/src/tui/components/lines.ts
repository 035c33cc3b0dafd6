/**
 * Turns a buffer's messages into screen lines: sorted by time, with day separators, the UNREAD
 * marker, a coloured `[Sender] at 06:19PM: ` header and the text wrapped to the view's width.
 */
import type { Buffer, Message } from "../state/model.js"
import { formatDay, formatKitchen } from "../state/reducer.js"

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

/** Breaks `text` into pieces of at most `width` characters, at spaces when it can. */
export const wrap = (text: string, firstWidth: number, width: number): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const paragraph of text.split("\n")) {
    let rest = [...paragraph]
    let limit = out.length === 0 ? firstWidth : width
    if (rest.length === 0) out.push("")
    while (rest.length > 0) {
      if (rest.length <= limit) {
        out.push(rest.join(""))
        break
      }
      let cut = rest.lastIndexOf(" ", limit)
      if (cut <= 0) cut = limit
      out.push(rest.slice(0, cut).join(""))
      rest = rest.slice(rest[cut] === " " ? cut + 1 : cut)
      limit = width
    }
  }
  return out
}

export const sortedMessages = (buffer: Buffer): ReadonlyArray<Message> =>
  [...buffer.messages].sort((a, b) => a.stamp - b.stamp || a.seq - b.seq)

export const messageLines = (buffer: Buffer, width: number): ReadonlyArray<Line> => {
  const lines: Array<Line> = []
  const messages = sortedMessages(buffer)
  let day = ""
  messages.forEach((m) => {
    const d = formatDay(m.stamp)
    if (d !== day) {
      day = d
      lines.push({ key: `day-${m.seq}`, segments: [{ text: `--- ${d} ---`, color: "green", italic: true }] })
    }
    if (m.seq === buffer.unreadMarker) lines.push({ key: "unread", segments: [{ text: "--- UNREAD ---", color: "#ff8700", bold: true }] })
    const sender = `[${m.sender}]`
    const time = formatKitchen(m.stamp)
    const headerLength = sender.length + 4 + time.length + 2
    const pieces = wrap(m.text, Math.max(1, width - headerLength), Math.max(1, width - INDENT.length))
    pieces.forEach((piece, j) => {
      const body: Segment = { text: piece, color: m.kind === "broadcast" ? "red" : undefined, bold: m.kind === "broadcast" }
      lines.push({
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
      })
    })
  })
  return lines
}

/** The `height` lines to show when scrolled `scroll` lines back (clamped), and the clamped scroll. */
export const visibleLines = (
  lines: ReadonlyArray<Line>,
  height: number,
  scroll: number
): { readonly lines: ReadonlyArray<Line>; readonly scroll: number } => {
  const max = Math.max(0, lines.length - height)
  const s = Math.min(scroll, max)
  return { lines: lines.slice(Math.max(0, lines.length - height - s), lines.length - s), scroll: s }
}
