/**
 * PEM armour as Go's `encoding/pem` writes and reads it. Writing: `-----BEGIN <label>-----\n`, base64 in
 * 64-column lines each ended by LF, `-----END <label>-----\n`. Reading follows `pem.Decode`: leading junk
 * is skipped, any label is accepted, header lines (`Key: value`) are skipped, spaces, tabs and CRs inside
 * the body are ignored, and a block whose END line does not match its BEGIN line is passed over.
 */
import { Option } from "effect"

export interface PemBlock {
  readonly label: string
  readonly der: Uint8Array
}

const BEGIN = "-----BEGIN "
const END = "-----END "
const DASHES = "-----"
const LINE_WIDTH = 64
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Go's `pem.EncodeToMemory` without headers. */
export const encodePem = (label: string, der: Uint8Array): string => {
  const base64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64")
  let body = ""
  for (let i = 0; i < base64.length; i += LINE_WIDTH) {
    body += base64.slice(i, i + LINE_WIDTH) + "\n"
  }
  return `${BEGIN}${label}${DASHES}\n${body}${END}${label}${DASHES}\n`
}

/** The line starting at `from` without its LF and trailing spaces, tabs and CRs, and where the next line starts. */
const lineAt = (text: string, from: number): { readonly line: string; readonly next: number } => {
  const newline = text.indexOf("\n", from)
  const end = newline < 0 ? text.length : newline
  let last = end
  while (last > from && (text[last - 1] === " " || text[last - 1] === "\t" || text[last - 1] === "\r")) last--
  return { line: text.slice(from, last), next: newline < 0 ? text.length : newline + 1 }
}

/** The block whose `-----BEGIN ` ends just before `from`, if it is well formed. */
const blockAt = (text: string, from: number): PemBlock | undefined => {
  const typeLine = lineAt(text, from)
  if (!typeLine.line.endsWith(DASHES)) return undefined
  const label = typeLine.line.slice(0, -DASHES.length)

  let cursor = typeLine.next
  let headers = 0
  for (;;) {
    if (cursor >= text.length) return undefined
    const header = lineAt(text, cursor)
    if (!header.line.includes(":")) break
    headers++
    cursor = header.next
  }

  let bodyEnd: number
  let trailer: number
  if (headers === 0 && text.startsWith(END, cursor)) {
    bodyEnd = cursor
    trailer = cursor + END.length
  } else {
    const index = text.indexOf("\n" + END, cursor)
    if (index < 0) return undefined
    bodyEnd = index
    trailer = index + 1 + END.length
  }
  if (!text.startsWith(label + DASHES, trailer)) return undefined
  if (lineAt(text, trailer + label.length + DASHES.length).line !== "") return undefined

  const base64 = text.slice(cursor, bodyEnd).replace(/[ \t\r\n]/g, "")
  if (!STRICT_BASE64.test(base64)) return undefined
  return { label, der: new Uint8Array(Buffer.from(base64, "base64")) }
}

/** Go's `pem.Decode`: the first well-formed PEM block in `input`, wherever it starts. */
export const decodePem = (input: string | Uint8Array): Option.Option<PemBlock> => {
  const text = typeof input === "string" ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("latin1")
  let start = text.startsWith(BEGIN) ? 0 : -1
  let searchFrom = 0
  for (;;) {
    if (start < 0) {
      const index = text.indexOf("\n" + BEGIN, searchFrom)
      if (index < 0) return Option.none()
      start = index + 1
    }
    const block = blockAt(text, start + BEGIN.length)
    if (block !== undefined) return Option.some(block)
    searchFrom = start + BEGIN.length
    start = -1
  }
}
