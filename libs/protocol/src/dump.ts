/**
 * Human-readable dumps of packets for verbose and debug output, in the spirit of the original's
 * `Contents()`: header fields with their names, then each argument as text when it is printable
 * UTF-8, as a decoded value where the protocol says what it is (stamps, permission bytes), and
 * as hex otherwise.
 */
import {
  Action,
  AdminOp,
  EMPTY_INFO,
  FRAME_OVERHEAD,
  HEADER_SIZE,
  HookType,
  actionName,
  adminName,
  errorName,
  hookName,
  permissionName,
  usrsName
} from "./constants.js"
import { decodeHeader, rawActionCode } from "./header.js"
import type { Packet } from "./packet.js"
import { packetSize, splitArgs } from "./packet.js"
import { decodeStamp } from "./stamp.js"

export type Direction = "c2s" | "s2c"

/** Bytes of a binary argument shown before it is cut short. */
const HEX_PREVIEW = 64

const hex = (bytes: Uint8Array, max = Number.POSITIVE_INFINITY): string => {
  const n = Math.min(bytes.length, max)
  let s = ""
  for (let i = 0; i < n; i++) s += bytes[i].toString(16).padStart(2, "0")
  return n < bytes.length ? `${s}… (+${bytes.length - n} bytes)` : s
}

const hex2 = (n: number): string => "0x" + n.toString(16).padStart(2, "0")

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** The argument as text when it is valid UTF-8 without control characters other than LF/TAB. */
const printable = (bytes: Uint8Array): string | undefined => {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch {
    return undefined
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : text
}

const infoText = (action: number, info: number, direction: Direction | undefined): string => {
  if (info === EMPTY_INFO) return "0xff (empty)"
  switch (action) {
    case Action.ERR:
      return `${hex2(info)} ${errorName(info)}`
    case Action.USRS:
      return direction === "s2c" ? hex2(info) : `${hex2(info)} ${usrsName(info)}`
    case Action.ADMIN:
      return `${hex2(info)} ${adminName(info)}`
    case Action.SUB:
    case Action.UNSUB:
    case Action.HOOK:
      return `${hex2(info)} ${hookName(info)}`
    default:
      return hex2(info)
  }
}

type ArgKind = "stamp" | "perm" | "binary" | "text"

const argKind = (
  action: number,
  info: number,
  index: number,
  count: number,
  direction: Direction | undefined
): ArgKind => {
  switch (action) {
    case Action.MSG:
    case Action.RECIV:
      return index === 1 ? "stamp" : index === 2 ? "binary" : "text"
    case Action.SHTDWN:
      return index === 0 ? "stamp" : "text"
    case Action.ADMIN:
      if (info === AdminOp.SHTDWN && index === 0) return "stamp"
      if (info === AdminOp.CHGPERMS && index === 1) return "perm"
      return "text"
    case Action.REQ:
      return index === 2 && direction !== "c2s" ? "perm" : "text"
    case Action.HOOK:
      return (info === HookType.NEWLOGIN || info === HookType.PERMSCHG) && index === 1 ? "perm" : "text"
    case Action.VERIF:
      // server→client: one ciphertext; client→server: username and the decrypted text
      return direction === "s2c" || (direction === undefined && count === 1) ? "binary" : "text"
    default:
      return "text"
  }
}

const argLine = (arg: Uint8Array, kind: ArgKind): string => {
  switch (kind) {
    case "stamp": {
      const s = decodeStamp(arg)
      if (s === undefined) return `stamp (invalid varint) ${hex(arg)}`
      const date = new Date(s * 1000)
      return `stamp ${s} (${Number.isFinite(date.getTime()) ? date.toISOString() : "out of range"}) ${hex(arg)}`
    }
    case "perm":
      return arg.length === 0 ? "permission (empty)" : `permission ${arg[0]} ${permissionName(arg[0])}`
    case "binary":
      return `binary ${hex(arg, HEX_PREVIEW)}`
    case "text": {
      const text = printable(arg)
      return text === undefined ? `hex ${hex(arg, HEX_PREVIEW)}` : JSON.stringify(text)
    }
  }
}

const render = (
  head: { version: number; action: number; rawAction: number; info: number; args: number; len: number; id: number },
  size: number,
  args: ReadonlyArray<Uint8Array> | undefined,
  problem: string | undefined,
  direction: Direction | undefined
): string => {
  const name = head.action === 0 ? actionName(head.rawAction) : actionName(head.action)
  const lines = [
    `${name}${direction ? " " + direction : ""} ver=${head.version} action=${hex2(head.rawAction)} info=${infoText(head.action, head.info, direction)} args=${head.args} len=${head.len} id=${head.id}${head.id === 0 ? " (null)" : ""} [${size} bytes]`
  ]
  if (args !== undefined) {
    args.forEach((arg, i) => {
      lines.push(`  arg[${i}] ${arg.length} B: ${argLine(arg, argKind(head.action, head.info, i, args.length, direction))}`)
    })
  }
  if (problem !== undefined) lines.push(`  malformed: ${problem}`)
  return lines.join("\n")
}

/**
 * A multi-line description of a packet or of a raw frame. `direction` refines how arguments and
 * Info are read (VERIF carries a ciphertext only server→client; USRS Info is a list kind only
 * client→server). Never throws: a malformed frame is dumped as far as it can be read.
 */
export const dumpPacket = (p: Packet | Uint8Array, direction?: Direction): string => {
  if (!(p instanceof Uint8Array)) {
    const len = packetSize(p) - FRAME_OVERHEAD
    return render(
      { version: 1, action: p.action, rawAction: p.action, info: p.info, args: p.args.length, len, id: p.id },
      len + FRAME_OVERHEAD,
      p.args,
      undefined,
      direction
    )
  }
  if (p.length < HEADER_SIZE) return `incomplete header: ${p.length} bytes ${hex(p)}`
  const h = decodeHeader(p, 0)
  const head = { ...h, rawAction: rawActionCode(p, 0) }
  const want = FRAME_OVERHEAD + h.len
  if (p.length < want)
    return render(head, p.length, undefined, `frame needs ${want} bytes, got ${p.length}: ${hex(p.subarray(FRAME_OVERHEAD), HEX_PREVIEW)}`, direction)
  const split = splitArgs(h, p.subarray(FRAME_OVERHEAD, want))
  const extra = p.length > want ? `${p.length - want} bytes after the frame` : undefined
  if (!Array.isArray(split)) return render(head, want, undefined, split.message, direction)
  return render(head, want, split, extra, direction)
}
