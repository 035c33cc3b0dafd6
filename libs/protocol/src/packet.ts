/**
 * Raw packets: a header plus arguments, and the checks each side applies to what it reads.
 *
 * Frame layout: `[8-byte header][CRLF][arg 1][CRLF] ... [arg N][CRLF]`, where the header's
 * `len` counts every argument with its CRLF but not the CRLF after the header.
 */
import { Either, Schema } from "effect"
import {
  Action,
  EMPTY_INFO,
  ErrorCode,
  FRAME_OVERHEAD,
  HEADER_SIZE,
  MAX_ARG_CONTENT,
  MAX_ARGS,
  MAX_ID,
  MAX_PAYLOAD,
  NULL_ID,
  NULL_OP,
  PROTOCOL_VERSION,
  actionName,
  clientMinArgs,
  errorName,
  isAction,
  serverMinArgs
} from "./constants.js"
import type { Header } from "./header.js"
import { encodeHeader } from "./header.js"

export interface Packet {
  readonly action: number
  readonly info: number
  readonly id: number
  /** Argument contents without their CRLF. May be views into a read buffer: copy what you keep. */
  readonly args: ReadonlyArray<Uint8Array>
}

/**
 * A packet that breaks the protocol. `code` is the ErrorCode the original would send for it
 * (with the Null ID, before closing, when it comes from the framer).
 */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  code: Schema.Number,
  message: Schema.String
}) {}

/** Builds a ProtocolError whose message starts with the error's name, e.g. `ERR_HEADER: ...`. */
export const protocolError = (code: number, detail: string): ProtocolError =>
  new ProtocolError({ code, message: `${errorName(code)}: ${detail}` })

/** `"server"`: I am the server and read client→server frames; `"client"`: the reverse. */
export type Side = "server" | "client"

const CR = 0x0d
const LF = 0x0a

/**
 * Actions whose last argument is binary (MSG ciphertext, RECIV ciphertext, VERIF challenge or
 * answer). Their last argument is everything after the first N-1 CRLFs minus the final CRLF, so
 * a ciphertext that happens to contain CRLF is read intact (the original rejected it).
 */
export const hasBinaryLastArg = (action: number): boolean =>
  action === Action.MSG || action === Action.RECIV || action === Action.VERIF

/**
 * Index of the first CRLF in `buf[from, end)`, or -1. A plain loop: `Buffer#indexOf` crosses into
 * C++ on every call, which costs more than scanning the short arguments this is used on.
 */
const indexOfCrlf = (buf: Uint8Array, from: number, end: number): number => {
  const last = end - 1
  for (let i = from; i < last; i++) if (buf[i] === CR && buf[i + 1] === LF) return i
  return -1
}

/** A plain Uint8Array view (cheaper to make than a Buffer#subarray, and the same for every input). */
const view = (buf: Uint8Array, start: number, end: number): Uint8Array =>
  new Uint8Array(buf.buffer, buf.byteOffset + start, end - start)

// ---------------------------------------------------------------------------------------------
// Encoding

/** Size in bytes of the encoded frame. */
export const packetSize = (p: Packet): number => {
  let size = FRAME_OVERHEAD
  const args = p.args
  for (let i = 0; i < args.length; i++) size += args[i].length + 2
  return size
}

/** Returns the reason `p` can not be encoded, or undefined. */
export const validatePacket = (p: Packet): ProtocolError | undefined => {
  if (!isAction(p.action)) return protocolError(ErrorCode.HEADER, `unknown action code ${p.action}`)
  if (!Number.isInteger(p.info) || p.info < 0 || p.info > 0xff)
    return protocolError(ErrorCode.HEADER, `info ${p.info} does not fit in a byte`)
  if (!Number.isInteger(p.id) || p.id < NULL_ID || p.id > MAX_ID)
    return protocolError(ErrorCode.HEADER, `id ${p.id} is outside 0..${MAX_ID}`)
  const args = p.args
  if (args.length > MAX_ARGS)
    return protocolError(ErrorCode.ARGS, `${args.length} arguments, at most ${MAX_ARGS} allowed`)
  const binaryLast = hasBinaryLastArg(p.action)
  let len = 0
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg.length > MAX_ARG_CONTENT)
      return protocolError(
        ErrorCode.MAXSIZE,
        `${actionName(p.action)} argument ${i + 1} is ${arg.length} bytes, at most ${MAX_ARG_CONTENT} allowed`
      )
    if (!(binaryLast && i === args.length - 1) && indexOfCrlf(arg, 0, arg.length) >= 0)
      return protocolError(ErrorCode.ARGS, `${actionName(p.action)} argument ${i + 1} contains CRLF`)
    len += arg.length + 2
  }
  if (len > MAX_PAYLOAD)
    return protocolError(ErrorCode.MAXSIZE, `payload is ${len} bytes, at most ${MAX_PAYLOAD} allowed`)
  return undefined
}

/**
 * Writes the frame of an already validated packet at `offset` of `out` (which must have
 * `packetSize(p)` bytes free there) and returns the offset just past it. For writers that batch
 * several frames into one buffer.
 */
export const writePacket = (p: Packet, out: Uint8Array, offset: number): number => {
  const args = p.args
  let len = 0
  for (let i = 0; i < args.length; i++) len += args[i].length + 2
  encodeHeader(
    { version: PROTOCOL_VERSION, action: p.action, info: p.info, args: args.length, len, id: p.id },
    out,
    offset
  )
  let pos = offset + HEADER_SIZE
  out[pos++] = CR
  out[pos++] = LF
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    out.set(arg, pos)
    pos += arg.length
    out[pos++] = CR
    out[pos++] = LF
  }
  return pos
}

/**
 * Encodes a packet (version is always PROTOCOL_VERSION, reserved bits 0xFFFF).
 * Throws a ProtocolError (HEADER, ARGS or MAXSIZE) when a limit is broken.
 */
export const encodePacket = (p: Packet): Uint8Array => {
  const error = validatePacket(p)
  if (error !== undefined) throw error
  const out = Buffer.allocUnsafe(packetSize(p))
  writePacket(p, out, 0)
  return out
}

/** `encodePacket` with the failure as a value. */
export const encodePacketEither = (p: Packet): Either.Either<Uint8Array, ProtocolError> => {
  const error = validatePacket(p)
  if (error !== undefined) return Either.left(error)
  const out = Buffer.allocUnsafe(packetSize(p))
  writePacket(p, out, 0)
  return Either.right(out)
}

// ---------------------------------------------------------------------------------------------
// Header checks (run as soon as the 8 header bytes are in)

/** Actions for which Info 0xFF is a header error when sent to the server. */
const needsInfoToServer = (action: number): boolean =>
  action === Action.USRS ||
  action === Action.ADMIN ||
  action === Action.ERR ||
  action === Action.SUB ||
  action === Action.UNSUB

/** Actions a server may send with the Null ID. */
const nullIdToClient = (action: number): boolean =>
  action === Action.SHTDWN ||
  action === Action.RECIV ||
  action === Action.HOOK ||
  action === Action.HELLO ||
  action === Action.ERR

/**
 * The server's checks on a client's header, in the original's order (`ServerCheck`): version,
 * null/unknown action, Info 0xFF where an info is required, Null ID, too few arguments.
 */
export const checkHeaderAsServer = (h: Header): ProtocolError | undefined => {
  if (h.version !== PROTOCOL_VERSION)
    return protocolError(ErrorCode.VERSION, `protocol version ${h.version}, expected ${PROTOCOL_VERSION}`)
  if (h.action === NULL_OP) return protocolError(ErrorCode.HEADER, "null or unknown action code")
  if (h.info === EMPTY_INFO && needsInfoToServer(h.action))
    return protocolError(ErrorCode.HEADER, `${actionName(h.action)} needs an Info value, got 0xFF`)
  if (h.id === NULL_ID) return protocolError(ErrorCode.HEADER, "a client packet can not use the Null ID")
  const min = serverMinArgs(h.action)
  if (h.args < min)
    return protocolError(ErrorCode.HEADER, `${actionName(h.action)} needs at least ${min} arguments, got ${h.args}`)
  return undefined
}

/**
 * The client's checks on a server's header (`ClientCheck`): version, null/unknown action, Null ID
 * only on SHTDWN/RECIV/HOOK/HELLO/ERR, Info 0xFF on HOOK/ERR, too few arguments.
 */
export const checkHeaderAsClient = (h: Header): ProtocolError | undefined => {
  if (h.version !== PROTOCOL_VERSION)
    return protocolError(ErrorCode.VERSION, `protocol version ${h.version}, expected ${PROTOCOL_VERSION}`)
  if (h.action === NULL_OP) return protocolError(ErrorCode.HEADER, "null or unknown action code")
  if (h.id === NULL_ID && !nullIdToClient(h.action))
    return protocolError(ErrorCode.HEADER, `${actionName(h.action)} can not use the Null ID`)
  if (h.info === EMPTY_INFO && (h.action === Action.HOOK || h.action === Action.ERR))
    return protocolError(ErrorCode.HEADER, `${actionName(h.action)} needs an Info value, got 0xFF`)
  const min = clientMinArgs(h.action)
  if (h.args < min)
    return protocolError(ErrorCode.HEADER, `${actionName(h.action)} needs at least ${min} arguments, got ${h.args}`)
  return undefined
}

/**
 * Length checks that need only the header (fixes S2 and S3 of the original, where the server
 * crashed or lost sync): arguments announced with an empty payload, or a payload with no
 * arguments, or a payload too short to hold one CRLF per argument.
 */
export const checkHeaderLengths = (h: Header): ProtocolError | undefined => {
  if (h.args > 0 && h.len === 0)
    return protocolError(ErrorCode.MAXSIZE, `${h.args} arguments announced with an empty payload`)
  if (h.args === 0 && h.len > 0)
    return protocolError(ErrorCode.MAXSIZE, `payload of ${h.len} bytes announced with no arguments`)
  if (h.len < 2 * h.args)
    return protocolError(ErrorCode.ARGS, `payload of ${h.len} bytes can not hold ${h.args} arguments`)
  return undefined
}

/** Direction check then length checks: everything that can be decided from the header. */
export const checkHeader = (side: Side, h: Header): ProtocolError | undefined =>
  (side === "server" ? checkHeaderAsServer(h) : checkHeaderAsClient(h)) ?? checkHeaderLengths(h)

// ---------------------------------------------------------------------------------------------
// Payload splitting

/**
 * Splits a payload of exactly `h.len` bytes into `h.args` arguments (views into `payload`),
 * leftmost CRLF first, with the original's checks: fewer pieces than announced → ERR_ARGS (the
 * original crashed); an argument over 2045 bytes, or pieces that do not add up to `len` (which is
 * what an argument containing CRLF looks like) → ERR_MAXSIZE. For MSG, RECIV and VERIF the last
 * argument is the rest of the payload minus its final CRLF, so binary data containing CRLF survives.
 */
export const splitArgs = (h: Header, payload: Uint8Array): Array<Uint8Array> | ProtocolError => {
  if (payload.length !== h.len)
    return protocolError(ErrorCode.MAXSIZE, `payload is ${payload.length} bytes but the header says ${h.len}`)
  return splitPayload(h, payload, 0, payload.length)
}

/** `splitArgs` over `buf[start, end)`, for readers that hold the whole frame. */
export const splitPayload = (
  h: Header,
  buf: Uint8Array,
  start: number,
  end: number
): Array<Uint8Array> | ProtocolError => {
  const n = h.args
  const args = new Array<Uint8Array>(n)
  if (n === 0) {
    if (end !== start) return protocolError(ErrorCode.MAXSIZE, `payload of ${end - start} bytes announced with no arguments`)
    return args
  }
  const tolerant = hasBinaryLastArg(h.action)
  const fixed = tolerant ? n - 1 : n
  let pos = start
  for (let i = 0; i < fixed; i++) {
    const crlf = indexOfCrlf(buf, pos, end)
    if (crlf < 0) {
      // Go's bytes.Split would give i+1 pieces: fewer than announced is a count error, exactly
      // as many means the last piece lacks its CRLF and the sizes can not add up.
      if (i + 1 < n)
        return protocolError(ErrorCode.ARGS, `${actionName(h.action)} announced ${n} arguments, found ${i + 1}`)
      return protocolError(ErrorCode.MAXSIZE, `${actionName(h.action)} argument ${n} is not terminated by CRLF`)
    }
    args[i] = view(buf, pos, crlf)
    pos = crlf + 2
  }
  if (tolerant) {
    if (pos > end - 2 || buf[end - 2] !== CR || buf[end - 1] !== LF)
      return protocolError(ErrorCode.MAXSIZE, `${actionName(h.action)} argument ${n} is not terminated by CRLF`)
    args[n - 1] = view(buf, pos, end - 2)
  } else if (pos !== end) {
    return protocolError(
      ErrorCode.MAXSIZE,
      `${actionName(h.action)} arguments add up to ${pos - start} bytes but the header says ${end - start} (an argument contains CRLF?)`
    )
  }
  for (let i = 0; i < n; i++) {
    if (args[i].length > MAX_ARG_CONTENT)
      return protocolError(
        ErrorCode.MAXSIZE,
        `${actionName(h.action)} argument ${i + 1} is ${args[i].length} bytes, at most ${MAX_ARG_CONTENT} allowed`
      )
  }
  return args
}
