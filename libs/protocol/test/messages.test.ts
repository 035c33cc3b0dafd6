import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import { constants, privateDecrypt } from "node:crypto"
import { readFileSync } from "node:fs"
import type { ClientMessage, Packet, ServerMessage, Side } from "../src/index.js"
import {
  Action,
  AdminOp,
  ClientEnvelope,
  ClientPacket,
  ErrorCode,
  HookType,
  PacketFramer,
  ProtocolError,
  ServerEnvelope,
  ServerPacket,
  decodeClientMessage,
  decodeServerMessage,
  encodeClientMessage,
  encodePacket,
  encodeServerMessage,
  makeReciv,
  makeUsrsReply
} from "../src/index.js"
import { GOLDEN_DIR, golden, loadGolden } from "./golden.js"

const hex = (x: Uint8Array) => Buffer.from(x).toString("hex")
const enc = (s: string) => new TextEncoder().encode(s)

const packetOf = (file: string): Packet => {
  const g = golden(file)
  const framer = new PacketFramer(g.direction === "c2s" ? "server" : "client")
  const [p] = framer.push(g.bytes)
  if (p === undefined) throw new Error(`${file}: ${framer.error?.message}`)
  return p
}

const clientMsg = (file: string): ClientMessage => Either.getOrThrow(decodeClientMessage(packetOf(file)))
const serverMsg = (file: string): ServerMessage => Either.getOrThrow(decodeServerMessage(packetOf(file)))

const decrypt = (who: "alice" | "bob", ciphertext: Uint8Array): string =>
  privateDecrypt(
    { key: readFileSync(`${GOLDEN_DIR}keys/${who}.priv`, "utf8"), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    ciphertext
  ).toString("utf8")

const at = (seconds: number) => new Date(seconds * 1000)

describe("golden frames as typed messages", () => {
  it("every frame decodes and re-encodes byte for byte through the typed message", () => {
    for (const g of loadGolden()) {
      if (g.file === "badver_c2s.hex") continue
      const p = packetOf(g.file)
      const bytes =
        g.direction === "c2s"
          ? encodePacket(encodeClientMessage(Either.getOrThrow(decodeClientMessage(p)), p.id))
          : encodePacket(encodeServerMessage(Either.getOrThrow(decodeServerMessage(p)), p.id))
      expect({ file: g.file, bytes: hex(bytes) }).toEqual({ file: g.file, bytes: hex(g.bytes) })
    }
  })

  it("client → server frames carry the values in their notes", () => {
    const reg = clientMsg("reg.hex")
    expect(reg._tag === "Reg" && reg.username).toBe("alice")
    expect(reg._tag === "Reg" && reg.publicKey.length).toBe(808)
    expect(reg._tag === "Reg" && reg.publicKey.startsWith("-----BEGIN RSA PUBLIC KEY-----\nMIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgK")).toBe(true)
    expect(reg._tag === "Reg" && reg.publicKey.endsWith("-----END RSA PUBLIC KEY-----\n")).toBe(true)
    // a name the server will refuse still decodes: refusing it (ERR_ARGS) is the handler's job
    expect(clientMsg("reg_badname_c2s.hex")).toMatchObject({ _tag: "Reg", username: "Bad User" })
    expect(clientMsg("reg_raw_c2s.hex")).toMatchObject({ _tag: "Reg", username: "carol" })
    expect(clientMsg("login.hex")).toEqual({ _tag: "Login", username: "alice" })
    const verif = clientMsg("verif_c2s.hex")
    expect(verif._tag === "VerifAnswer" && verif.username).toBe("alice")
    expect(verif._tag === "VerifAnswer" && verif.answer).toBe(decrypt("alice", packetOf("verif_s2c.hex").args[0]))
    expect(clientMsg("verif_wrong_c2s.hex")).toEqual({ _tag: "VerifAnswer", username: "carol", answer: "wrong" })
    expect(clientMsg("req_c2s.hex")).toEqual({ _tag: "ReqUser", username: "bob" })
    expect(clientMsg("req_self_c2s.hex")).toEqual({ _tag: "ReqUser", username: "alice" })
    expect(clientMsg("req_nobody_c2s.hex")).toEqual({ _tag: "ReqUser", username: "nobody" })
    expect(clientMsg("usrs_all_c2s.hex")).toEqual({ _tag: "Usrs", kind: 0 })
    expect(clientMsg("usrs_online_c2s.hex")).toEqual({ _tag: "Usrs", kind: 1 })
    expect(clientMsg("usrs_onlineperms_c2s.hex")).toEqual({ _tag: "Usrs", kind: 3 })
    expect(clientMsg("reciv_c2s.hex")).toEqual({ _tag: "RecivRequest" })
    expect(clientMsg("keep.hex")).toEqual({ _tag: "Keep" })
    expect(clientMsg("sub_c2s.hex")).toEqual({ _tag: "Sub", hook: HookType.ALL })
    expect(clientMsg("logout_c2s.hex")).toEqual({ _tag: "Logout" })
    const msgs = [
      ["msg_offline_c2s.hex", "bob", 1795609946, "bob", "hello bob, this was sent while you were offline"],
      ["msg_online_c2s.hex", "bob", 1795609962, "bob", "hi bob, you are online now"],
      ["msg_bob_to_alice_c2s.hex", "alice", 1795609964, "alice", "hello alice, got it"]
    ] as const
    for (const [file, dest, seconds, key, plaintext] of msgs) {
      const m = clientMsg(file)
      expect(m._tag === "Msg" && { dest: m.dest, stamp: m.stamp, size: m.ciphertext.length }).toEqual({
        dest,
        stamp: at(seconds),
        size: 512
      })
      expect(m._tag === "Msg" && decrypt(key, m.ciphertext)).toBe(plaintext)
    }
  })

  it("msg_crlf_c2s keeps its ciphertext intact: it decrypts with bob's key", () => {
    const m = clientMsg("msg_crlf_c2s.hex")
    if (m._tag !== "Msg") throw new Error(`expected Msg, got ${m._tag}`)
    expect(m.dest).toBe("bob")
    expect(m.stamp).toEqual(at(1795610013))
    expect(m.ciphertext.length).toBe(512)
    expect(Buffer.from(m.ciphertext).includes("\r\n")).toBe(true)
    expect(decrypt("bob", m.ciphertext).length).toBeGreaterThan(0)
  })

  it("server → client frames carry the values in their notes", () => {
    expect(serverMsg("hello.hex")).toEqual({ _tag: "Hello", motd: "Welcome to the server!" })
    for (const f of ["reg_ok.hex", "ok.hex", "msg_offline_ok.hex", "reciv_ok.hex"]) expect(serverMsg(f)).toEqual({ _tag: "Ok" })
    const errs = {
      "err_args.hex": ErrorCode.ARGS,
      "err_empty.hex": ErrorCode.EMPTY,
      "err_exists.hex": ErrorCode.EXISTS,
      "err_handshake.hex": ErrorCode.HANDSHAKE,
      "err_invalid.hex": ErrorCode.INVALID,
      "err_maxsize_nullid.hex": ErrorCode.MAXSIZE,
      "err_nosess.hex": ErrorCode.NOSESS,
      "err_notfound.hex": ErrorCode.NOTFOUND,
      "err_version_nullid.hex": ErrorCode.VERSION
    }
    for (const [f, code] of Object.entries(errs)) expect(serverMsg(f)).toEqual({ _tag: "Err", code })
    const challenge = serverMsg("verif_s2c.hex")
    expect(challenge._tag === "VerifChallenge" && decrypt("alice", challenge.ciphertext)).toMatch(
      /^[A-Za-z#$%&*+\-?!]{128}$/
    )
    const req = serverMsg("req_s2c.hex")
    expect(req._tag === "ReqReply" && { u: req.username, p: req.permission, k: req.publicKey.length }).toEqual({
      u: "bob",
      p: 0,
      k: 808
    })
    expect(serverMsg("usrs_all_s2c.hex")).toEqual({ _tag: "UsrsReply", users: ["alice", "bob"], raw: "alice\nbob" })
    expect(serverMsg("usrs_online_s2c.hex")).toEqual({ _tag: "UsrsReply", users: ["alice"], raw: "alice" })
    expect(serverMsg("usrs_onlineperms_s2c.hex")).toEqual({
      _tag: "UsrsReply",
      users: [
        { name: "alice", permission: 0 },
        { name: "bob", permission: 0 },
        { name: "carol", permission: 0 }
      ],
      raw: "alice 0\nbob 0\ncarol 0"
    })
    const recivs = [
      ["reciv_catchup_1.hex", "alice", 1795609946, "bob", "hello bob, this was sent while you were offline"],
      ["reciv_catchup_2.hex", "alice", 1795609948, "bob", "second offline message"],
      ["reciv_push.hex", "alice", 1795609962, "bob", "hi bob, you are online now"],
      ["reciv_push_to_alice.hex", "bob", 1795609964, "alice", "hello alice, got it"]
    ] as const
    for (const [file, sender, seconds, key, plaintext] of recivs) {
      const m = serverMsg(file)
      if (m._tag !== "Reciv") throw new Error(`${file}: expected Reciv, got ${m._tag}`)
      expect({ sender: m.sender, stamp: m.stamp, bytes: hex(m.stampBytes) }).toEqual({
        sender,
        stamp: at(seconds),
        bytes: golden(file).args.find((a) => a.kind === "stamp")?.kind === "stamp" ? hex(packetOf(file).args[1]) : ""
      })
      expect(decrypt(key, m.ciphertext)).toBe(plaintext)
    }
    expect(serverMsg("hook_newlogin.hex")).toEqual({ _tag: "HookNewLogin", username: "bob", permission: 0 })
    expect(serverMsg("hook_newlogout.hex")).toEqual({ _tag: "HookNewLogout", username: "bob" })
  })

  it("the relayed RECIV carries the MSG's stamp and ciphertext verbatim", () => {
    const msg = packetOf("msg_online_c2s.hex")
    const reciv = packetOf("reciv_push.hex")
    expect(hex(reciv.args[1])).toBe(hex(msg.args[1]))
    expect(hex(reciv.args[2])).toBe(hex(msg.args[2]))
  })
})

describe("decoding errors carry the original's ERR code", () => {
  const c = (action: number, info: number, args: Array<string | Uint8Array>) => {
    const r = decodeClientMessage({ action, info, id: 9, args: args.map((a) => (typeof a === "string" ? enc(a) : a)) })
    return Either.isLeft(r) ? r.left.code : r.right._tag
  }
  const s = (action: number, info: number, args: Array<string | Uint8Array>) => {
    const r = decodeServerMessage({ action, info, id: 0, args: args.map((a) => (typeof a === "string" ? enc(a) : a)) })
    return Either.isLeft(r) ? r.left.code : r.right._tag
  }

  it("client messages", () => {
    expect(c(Action.MSG, 0xff, ["bob", "", "ct"])).toBe(ErrorCode.ARGS) // empty stamp
    expect(c(Action.MSG, 0xff, ["bob", Uint8Array.of(0x80), "ct"])).toBe(ErrorCode.ARGS) // truncated varint
    expect(c(Action.MSG, 0xff, ["bob", Uint8Array.of(2)])).toBe(ErrorCode.ARGS)
    expect(c(Action.USRS, 4, [])).toBe(ErrorCode.OPTION)
    expect(c(Action.SUB, 5, [])).toBe(ErrorCode.OPTION)
    expect(c(Action.UNSUB, 4, [])).toBe("Unsub")
    expect(c(Action.ADMIN, 6, ["x"])).toBe(ErrorCode.INVALID)
    expect(c(Action.ADMIN, AdminOp.CHGPERMS, ["bob"])).toBe(ErrorCode.ARGS)
    expect(c(Action.ADMIN, AdminOp.CHGPERMS, ["bob", ""])).toBe(ErrorCode.ARGS) // S5: empty level
    expect(c(Action.ADMIN, AdminOp.CHGPERMS, ["bob", Uint8Array.of(3)])).toBe(ErrorCode.ARGS)
    expect(c(Action.ADMIN, AdminOp.CHGPERMS, ["bob", Uint8Array.of(1)])).toBe("AdminChgPerms")
    expect(c(Action.ADMIN, AdminOp.SHTDWN, [Uint8Array.of(0xff)])).toBe(ErrorCode.ARGS)
    expect(c(Action.ADMIN, AdminOp.KICK, [])).toBe(ErrorCode.ARGS)
    for (const action of [Action.OK, Action.ERR, Action.SHTDWN, Action.HOOK, Action.HELLO])
      expect(c(action, 1, [])).toBe(ErrorCode.INVALID)
    expect(c(Action.LOGIN, 0xff, ["alice", "tok"])).toBe("Login")
    expect(c(Action.REG, 0xff, ["alice"])).toBe(ErrorCode.ARGS)
  })

  it("server messages", () => {
    expect(s(Action.REQ, 0xff, ["bob", "pem", ""])).toBe(ErrorCode.ARGS) // empty permission byte
    expect(s(Action.HOOK, HookType.NEWLOGIN, ["bob", ""])).toBe(ErrorCode.ARGS)
    expect(s(Action.HOOK, HookType.ALL, ["bob"])).toBe(ErrorCode.OPTION)
    expect(s(Action.HOOK, HookType.DUPSESS, ["::1"])).toBe("HookDupSess")
    expect(s(Action.RECIV, 0xff, ["bob", "", "ct"])).toBe(ErrorCode.ARGS)
    expect(s(Action.SHTDWN, 0xff, [])).toBe(ErrorCode.ARGS)
    expect(s(Action.USRS, 0xff, ["alice 0\nbob"])).toBe(ErrorCode.ARGS)
    expect(s(Action.USRS, 0xff, [""])).toBe("UsrsReply")
    expect(s(Action.MSG, 0xff, ["a", "b", "c"])).toBe(ErrorCode.INVALID)
  })
})

/** Deep copy with every byte view as a plain Uint8Array (frames are Buffers, generated values are not). */
const plain = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? Uint8Array.from(v)
    : v instanceof Date
      ? v
      : Array.isArray(v)
        ? v.map(plain)
        : typeof v === "object" && v !== null
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]))
          : v

/** Encodes to bytes, frames them as the receiving side would, and decodes again. */
const throughTheWire = (side: Side, p: Packet): Packet => {
  const framer = new PacketFramer(side)
  const out = framer.push(encodePacket(p))
  if (framer.error !== undefined || out.length !== 1) throw new Error(`framing failed: ${framer.error?.message}`)
  return out[0]
}

describe("encode ∘ decode is the identity", () => {
  const clientArb = Arbitrary.make(ClientEnvelope).filter((e) => e.id !== 0)
  const serverArb = Arbitrary.make(ServerEnvelope)

  it.prop("for every client message type", [clientArb], ([e]) => {
    const p = throughTheWire("server", encodeClientMessage(e.message, e.id))
    expect(p.id).toBe(e.id)
    expect(plain(Either.getOrThrow(decodeClientMessage(p)))).toEqual(plain(e.message))
    // the Schema path agrees with the plain codec
    expect(plain(Schema.decodeSync(ClientPacket)(p))).toEqual(plain({ id: e.id, message: e.message }))
    expect(hex(encodePacket(Schema.encodeSync(ClientPacket)(e)))).toBe(hex(encodePacket(encodeClientMessage(e.message, e.id))))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("for every server message type", [serverArb], ([e]) => {
    const id = e.id === 0 ? 1 : e.id // ids 0 are only legal for some server actions
    const p = throughTheWire("client", encodeServerMessage(e.message, id))
    expect(plain(Either.getOrThrow(decodeServerMessage(p)))).toEqual(plain(e.message))
    expect(plain(Schema.decodeSync(ServerPacket)(p))).toEqual(plain({ id, message: e.message }))
  }, { fastCheck: { numRuns: 300 } })

  it("covers every tag", () => {
    const clientTags = new Set(fc.sample(clientArb, 2000).map((e) => e.message._tag))
    const serverTags = new Set(fc.sample(serverArb, 2000).map((e) => e.message._tag))
    expect(clientTags.size).toBe(18)
    expect(serverTags.size).toBe(12)
  })

  it("Schema decoding reports the codec's error text", () => {
    const r = Schema.decodeUnknownEither(ClientPacket)({ action: Action.USRS, info: 9, id: 3, args: [] })
    expect(Either.isLeft(r) && r.left.message).toContain("ERR_OPTION")
  })

  it("helpers build consistent values", () => {
    const r = makeReciv("alice", at(1754476540), Uint8Array.of(1, 2))
    expect(hex(r.stampBytes)).toBe("f8bf99890d")
    expect(makeUsrsReply([{ name: "a", permission: 1 }]).raw).toBe("a 1")
  })
})

describe("decoding arbitrary packets", () => {
  const anyPacket = fc.record({
    action: fc.integer({ min: 0, max: 255 }),
    info: fc.integer({ min: 0, max: 255 }),
    id: fc.integer({ min: 0, max: 1023 }),
    args: fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 5 })
  })

  it.prop("never throws: always a message or a ProtocolError with a defined code", [anyPacket], ([p]) => {
    const results: Array<Either.Either<{ readonly _tag: string }, ProtocolError>> = [
      decodeClientMessage(p),
      decodeServerMessage(p)
    ]
    for (const r of results) {
      if (Either.isLeft(r)) {
        expect(r.left._tag).toBe("ProtocolError")
        expect([ErrorCode.ARGS, ErrorCode.OPTION, ErrorCode.INVALID]).toContain(r.left.code)
      } else expect(typeof r.right._tag).toBe("string")
    }
  }, { fastCheck: { numRuns: 500 } })
})
