/**
 * A buffer's messages in display order (by stamp, then arrival), as an immutable value that
 * appends without copying: every list is a window `[start, end)` over a shared array that only
 * ever grows at its end. Appending to the newest list pushes in place; an older list (its `end`
 * is no longer the array's end) and a message that sorts before the last one copy first, which
 * only happens for stored history merged into a buffer. Dropping the oldest message moves `start`;
 * the array is compacted once half of it is dropped.
 */
import type { Message } from "./model.js"

export interface MessageList {
  readonly items: Array<Message>
  readonly start: number
  readonly end: number
}

const EMPTY: MessageList = { items: [], start: 0, end: 0 }

export const emptyList = (): MessageList => EMPTY

const before = (a: Message, b: Message): boolean => a.stamp < b.stamp || (a.stamp === b.stamp && a.seq < b.seq)

export const size = (list: MessageList): number => list.end - list.start

/** The message at display position `i` (0: the oldest kept). */
export const at = (list: MessageList, i: number): Message => list.items[list.start + i]

export const last = (list: MessageList): Message | undefined => (list.end > list.start ? list.items[list.end - 1] : undefined)

export const toArray = (list: MessageList): Array<Message> => list.items.slice(list.start, list.end)

/** The messages of `messages` in display order (sorted once). */
export const fromArray = (messages: ReadonlyArray<Message>): MessageList => {
  const items = [...messages].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0))
  return { items, start: 0, end: items.length }
}

/** Adds `message` at its place in display order, keeping at most `max` messages (the newest). */
export const insert = (list: MessageList, message: Message, max: number): MessageList => {
  const tail = last(list)
  let next: MessageList
  if (tail === undefined || !before(message, tail)) {
    if (list.end === list.items.length) {
      list.items.push(message)
      next = { items: list.items, start: list.start, end: list.end + 1 }
    } else {
      const items = list.items.slice(list.start, list.end)
      items.push(message)
      next = { items, start: 0, end: items.length }
    }
  } else {
    const items = list.items.slice(list.start, list.end)
    let i = items.length
    while (i > 0 && before(message, items[i - 1])) i--
    items.splice(i, 0, message)
    next = { items, start: 0, end: items.length }
  }
  if (size(next) <= max) return next
  const start = next.end - max
  // Compact once the dropped part is as large as what is kept (amortised O(1) per message).
  if (start >= max) {
    const items = next.items.slice(start, next.end)
    return { items, start: 0, end: items.length }
  }
  return { items: next.items, start, end: next.end }
}

export const filter = (list: MessageList, keep: (m: Message) => boolean): MessageList => fromSorted(toArray(list).filter(keep))

const fromSorted = (items: Array<Message>): MessageList => ({ items, start: 0, end: items.length })

export const some = (list: MessageList, test: (m: Message) => boolean): boolean => {
  for (let i = list.start; i < list.end; i++) if (test(list.items[i])) return true
  return false
}

export const count = (list: MessageList, test: (m: Message) => boolean): number => {
  let n = 0
  for (let i = list.start; i < list.end; i++) if (test(list.items[i])) n++
  return n
}
