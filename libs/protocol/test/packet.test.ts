import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import type { Header, Packet } from "../src/index.js"
import {
  Action,
  ErrorCode,
  MAX_ARG_CONTENT,
  ProtocolError,
  checkHeaderAsClient,
  checkHeaderAsServer,
  checkHeaderLengths,
  encodePacket,
  encodePacketEither,
  packetSize,
  splitArgs
} from "../src/index.js"

const enc = new TextEncoder()
const b = (s: string) => enc.encode(s)
const hex = (x: Uint8Array) => Buffer.from(x).toString("hex")
const concat = (...parts: Array<Uint8Array>) => Uint8Array.from(Buffer.concat(parts))
const CRLF = b("\r\n")

const head = (h: Partial<Header>): Header => ({ version: 1, action: Action.REQ, info: 0xff, args: 1, len: 5, id: 7, ...h })

const codeOf = (e: unknown): number | undefined => (e instanceof ProtocolError ? e.code : undefined)

describe("encodePacket", () => {
  it("produces the reference byte examples", () => {
    expect(hex(encodePacket({ action: Action.OK, info: 0xff, id: 5, args: [] }))).toBe("101ff0000005ffff0d0a")
    expect(hex(encodePacket({ action: Action.ERR, info: ErrorCode.HEADER, id: 0, args: [] }))).toBe("102070000000ffff0d0a")
    expect(hex(encodePacket({ action: Action.LOGIN, info: 0xff, id: 5, args: [b("alice")] }))).toBe(
      "106ff1001c05ffff0d0a616c6963650d0a"
    )
    expect(hex(encodePacket({ action: Action.HELLO, info: 0xff, id: 0, args: [new Uint8Array(0)] }))).toBe(
      "112ff1000800ffff0d0a0d0a"
    )
  })

  it("computes the size of the frame", () => {
    const p: Packet = { action: Action.REQ, info: 0xff, id: 1, args: [b("bob"), new Uint8Array(0)] }
    expect(packetSize(p)).toBe(10 + 5 + 2)
    expect(encodePacket(p).length).toBe(packetSize(p))
  })

  it("rejects limit violations with the matching error codes", () => {
    const bad = (p: Packet) => {
      const r = encodePacketEither(p)
      return Either.isLeft(r) ? r.left.code : undefined
    }
    expect(bad({ action: Action.OK, info: 0xff, id: 1024, args: [] })).toBe(ErrorCode.HEADER)
    expect(bad({ action: Action.OK, info: 0xff, id: -1, args: [] })).toBe(ErrorCode.HEADER)
    expect(bad({ action: 0, info: 0xff, id: 1, args: [] })).toBe(ErrorCode.HEADER)
    expect(bad({ action: 0x13, info: 0xff, id: 1, args: [] })).toBe(ErrorCode.HEADER)
    expect(bad({ action: Action.OK, info: 256, id: 1, args: [] })).toBe(ErrorCode.HEADER)
    expect(bad({ action: Action.USRS, info: 0xff, id: 1, args: Array.from({ length: 16 }, () => b("x")) })).toBe(
      ErrorCode.ARGS
    )
    expect(bad({ action: Action.HELLO, info: 0xff, id: 0, args: [new Uint8Array(MAX_ARG_CONTENT + 1)] })).toBe(
      ErrorCode.MAXSIZE
    )
    expect(bad({ action: Action.USRS, info: 0xff, id: 1, args: Array.from({ length: 9 }, () => new Uint8Array(2000)) })).toBe(
      ErrorCode.MAXSIZE
    )
    expect(bad({ action: Action.REQ, info: 0xff, id: 1, args: [b("a\r\nb")] })).toBe(ErrorCode.ARGS)
    expect(bad({ action: Action.HELLO, info: 0xff, id: 0, args: [new Uint8Array(MAX_ARG_CONTENT)] })).toBeUndefined()
    // binary last arguments may contain CRLF, earlier ones may not
    expect(bad({ action: Action.MSG, info: 0xff, id: 1, args: [b("bob"), b("\x02"), b("x\r\ny")] })).toBeUndefined()
    expect(bad({ action: Action.MSG, info: 0xff, id: 1, args: [b("b\r\nob"), b("\x02"), b("xy")] })).toBe(ErrorCode.ARGS)
    let thrown: unknown
    try {
      encodePacket({ action: Action.OK, info: 0xff, id: 5000, args: [] })
    } catch (e) {
      thrown = e
    }
    expect(codeOf(thrown)).toBe(ErrorCode.HEADER)
  })
})

describe("header checks", () => {
  it("server side: version, null op, Info 0xFF, Null ID, min args, in the original's order", () => {
    const code = (h: Partial<Header>) => checkHeaderAsServer(head(h))?.code
    expect(code({})).toBeUndefined()
    expect(code({ version: 2, action: 0, id: 0 })).toBe(ErrorCode.VERSION)
    expect(code({ action: 0, id: 0 })).toBe(ErrorCode.HEADER)
    for (const action of [Action.USRS, Action.ADMIN, Action.ERR, Action.SUB, Action.UNSUB])
      expect(code({ action, info: 0xff, args: 0 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.USRS, info: 0, args: 0 })).toBeUndefined()
    expect(code({ id: 0 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.MSG, args: 2 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.REG, args: 1 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.REG, args: 2 })).toBeUndefined()
    // non-empty Info on an info-less op is accepted, like the original
    expect(code({ action: Action.LOGOUT, info: 3, args: 0 })).toBeUndefined()
    // server-only actions pass the header check (the hub refuses them)
    expect(code({ action: Action.HELLO, args: 0 })).toBeUndefined()
  })

  it("client side: Null ID only for SHTDWN/RECIV/HOOK/HELLO/ERR, Info 0xFF on HOOK/ERR, min args", () => {
    const code = (h: Partial<Header>) => checkHeaderAsClient(head(h))?.code
    expect(code({ action: Action.REQ, args: 3 })).toBeUndefined()
    expect(code({ version: 0 })).toBe(ErrorCode.VERSION)
    expect(code({ action: 0 })).toBe(ErrorCode.HEADER)
    for (const action of [Action.SHTDWN, Action.RECIV, Action.HOOK, Action.HELLO, Action.ERR])
      expect(code({ action, id: 0, info: 1, args: 3 })).toBeUndefined()
    expect(code({ action: Action.OK, id: 0, args: 0 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.HOOK, info: 0xff, args: 2 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.ERR, info: 0xff, args: 0 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.REQ, args: 2 })).toBe(ErrorCode.HEADER)
    expect(code({ action: Action.RECIV, id: 0, args: 2 })).toBe(ErrorCode.HEADER)
  })

  it("length checks fix S2 and S3 (args without payload, payload without args)", () => {
    expect(checkHeaderLengths(head({ args: 1, len: 0 }))?.code).toBe(ErrorCode.MAXSIZE)
    expect(checkHeaderLengths(head({ args: 0, len: 4 }))?.code).toBe(ErrorCode.MAXSIZE)
    expect(checkHeaderLengths(head({ args: 3, len: 4 }))?.code).toBe(ErrorCode.ARGS)
    expect(checkHeaderLengths(head({ args: 2, len: 4 }))).toBeUndefined()
  })
})

describe("splitArgs", () => {
  const split = (action: number, args: number, payload: Uint8Array) =>
    splitArgs(head({ action, args, len: payload.length }), payload)
  const texts = (r: ReturnType<typeof splitArgs>) =>
    Array.isArray(r) ? r.map((a) => Buffer.from(a).toString("latin1")) : r.code

  it("splits leftmost-first, so an argument may end with CR", () => {
    expect(texts(split(Action.REG, 2, b("ab\r\r\n\r\n")))).toEqual(["ab\r", ""])
    expect(texts(split(Action.LOGIN, 2, b("a\r\n\nb\r\n")))).toEqual(["a", "\nb"])
  })

  it("maps malformed payloads to the original's codes (S1 becomes ERR_ARGS, not a crash)", () => {
    expect(texts(split(Action.MSG, 3, b("a\r\n")))).toBe(ErrorCode.ARGS) // fewer pieces than Args
    expect(texts(split(Action.REG, 3, b("a\r\nb\r\n")))).toBe(ErrorCode.MAXSIZE) // Go: pieces a,b,"" → sum ≠ len
    expect(texts(split(Action.REG, 2, b("a\r\nb")))).toBe(ErrorCode.MAXSIZE) // last arg not terminated
    expect(texts(split(Action.REQ, 1, b("a\r\nb\r\n")))).toBe(ErrorCode.MAXSIZE) // CRLF inside a text arg
    expect(texts(split(Action.REQ, 1, concat(new Uint8Array(MAX_ARG_CONTENT + 1), CRLF)))).toBe(ErrorCode.MAXSIZE)
    expect(texts(split(Action.REQ, 1, concat(new Uint8Array(MAX_ARG_CONTENT), CRLF)))).toEqual(["\0".repeat(MAX_ARG_CONTENT)])
    expect(texts(splitArgs(head({ args: 1, len: 9 }), b("abc\r\n")))).toBe(ErrorCode.MAXSIZE) // payload ≠ len
  })

  it("keeps CRLF inside the binary last argument of MSG, RECIV and VERIF", () => {
    for (const action of [Action.MSG, Action.RECIV]) {
      expect(texts(split(action, 3, b("bob\r\n\x0d\r\nx\r\ny\r\n\r\n")))).toEqual(["bob", "\x0d", "x\r\ny\r\n"])
      expect(texts(split(action, 3, b("bob\r\nS\r\n")))).toBe(ErrorCode.MAXSIZE) // no room for the last arg
      expect(texts(split(action, 3, b("bob\r\nS\r\nct")))).toBe(ErrorCode.MAXSIZE) // not CRLF-terminated
      expect(texts(split(action, 3, b("bob\r\n\r\n\r\n")))).toEqual(["bob", "", ""])
      expect(texts(split(action, 3, b("bob\r\n\r\n")))).toBe(ErrorCode.MAXSIZE)
    }
    expect(texts(split(Action.VERIF, 1, b("\r\n\r\n\r\n")))).toEqual(["\r\n\r\n"])
    expect(texts(split(Action.VERIF, 2, b("alice\r\nab\r\ncd\r\n")))).toEqual(["alice", "ab\r\ncd"])
  })
})
