/**
 * Splitting a long message into several, each fitting one OAEP block. Original clients simply show the
 * parts as consecutive messages. Parts end on grapheme-cluster boundaries (an emoji with its modifiers,
 * a letter with its accents stay whole); only a single cluster longer than the limit is cut, and then on
 * code-point boundaries, so a surrogate pair is never split and every part is valid UTF-8.
 */
import { MAX_PLAINTEXT } from "./oaep.js"

/** The longest UTF-8 encoding of one code point: no smaller limit can hold every text. */
const MAX_CODE_POINT_BYTES = 4

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" })

/** UTF-8 length of one code point (a lone surrogate is encoded as U+FFFD, 3 bytes). */
const codePointBytes = (codePoint: number): number =>
  codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4

const utf8Length = (text: string): number => {
  let length = 0
  for (const char of text) length += codePointBytes(char.codePointAt(0)!)
  return length
}

/**
 * `text` as consecutive parts of at most `max` UTF-8 bytes each, cut between grapheme clusters (between
 * code points inside a cluster longer than `max`). A text that fits is returned whole, even when empty.
 * `joinMessage(splitMessage(t))` is `t`. Throws a RangeError for `max` below 4 (a programming error).
 */
export const splitMessage = (text: string, max: number = MAX_PLAINTEXT): Array<string> => {
  if (!Number.isInteger(max) || max < MAX_CODE_POINT_BYTES) {
    throw new RangeError(`splitMessage: max must be an integer >= ${MAX_CODE_POINT_BYTES}, got ${max}`)
  }
  if (text.length * 3 <= max || utf8Length(text) <= max) return [text]

  const parts: Array<string> = []
  let current = ""
  let currentBytes = 0
  const append = (piece: string, bytes: number) => {
    if (currentBytes + bytes > max) {
      parts.push(current)
      current = ""
      currentBytes = 0
    }
    current += piece
    currentBytes += bytes
  }
  for (const { segment } of graphemes.segment(text)) {
    const bytes = utf8Length(segment)
    if (bytes <= max) {
      append(segment, bytes)
    } else {
      for (const char of segment) append(char, codePointBytes(char.codePointAt(0)!))
    }
  }
  if (current !== "") parts.push(current)
  return parts
}

/** The text `splitMessage` was given, from its parts in order. */
export const joinMessage = (parts: ReadonlyArray<string>): string => parts.join("")
