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
 * code points inside a cluster longer than `max`). Each part is as long as it can be; a text that fits is
 * returned whole, even when empty. `joinMessage(splitMessage(t))` is `t`. Throws a RangeError for `max`
 * below 4 (a programming error, not a data error).
 */
export const splitMessage = (text: string, max: number = MAX_PLAINTEXT): Array<string> => {
  if (!Number.isInteger(max) || max < MAX_CODE_POINT_BYTES) {
    throw new RangeError(`splitMessage: max must be an integer >= ${MAX_CODE_POINT_BYTES}, got ${max}`)
  }
  if (text.length * 3 <= max || utf8Length(text) <= max) return [text]

  // Walk code points; when the next one would overflow the part, cut at the start of the grapheme
  // cluster it belongs to, unless that cluster began before the part (it alone is longer than `max`).
  const segments = graphemes.segment(text)
  const parts: Array<string> = []
  let partStart = 0
  let partBytes = 0
  let at = 0
  while (at < text.length) {
    const codePoint = text.codePointAt(at)!
    const bytes = codePointBytes(codePoint)
    if (partBytes + bytes > max) {
      const clusterStart = segments.containing(at)!.index
      const cut = clusterStart > partStart ? clusterStart : at
      parts.push(text.slice(partStart, cut))
      partStart = cut
      partBytes = 0
      at = cut
      continue
    }
    partBytes += bytes
    at += codePoint > 0xffff ? 2 : 1
  }
  parts.push(text.slice(partStart))
  return parts
}

/** The text `splitMessage` was given, from its parts in order. */
export const joinMessage = (parts: ReadonlyArray<string>): string => parts.join("")
