/**
 * The original client's captured frames, sent byte for byte to our server: the replies must carry the same
 * action, info and argument layout as the original server's captured replies, and be byte-identical where
 * nothing random is involved (OK/ERR/USRS/REQ/HOOK/HELLO, relayed RECIV).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Action, decodeHeader, encodePacket, EMPTY_INFO, NULL_ID } from "@gochat/protocol"
import { decrypt } from "@gochat/crypto"
import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { type Received, TestClient, text } from "./support/client.js"
import { goldenDir, goldenKey, start, tempDir } from "./support/fixtures.js"

const frame = (name: string): Buffer =>
  Buffer.from(
    fs.readFileSync(path.join(goldenDir, `${name}.hex`), "utf8")
      .split("\n")
      .filter((l) => !l.startsWith("#"))
      .join("")
      .replace(/\s+/g, ""),
    "hex"
  )

const encode = (p: Received) => Buffer.from(encodePacket(p))

/** The argument contents of a golden frame (via the server-side framing of its header). */
const argsOf = (buf: Buffer): Array<Buffer> => {
  const h = decodeHeader(buf, 0)
  const payload = buf.subarray(10, 10 + h.len)
  const out: Array<Buffer> = []
  let pos = 0
  for (let i = 0; i < h.args; i++) {
    const end = i === h.args - 1 ? payload.length - 2 : payload.indexOf("\r\n", pos)
    out.push(payload.subarray(pos, end))
    pos = end + 2
  }
  return out
}

const sameLayout = (ours: Received, golden: Buffer) => {
  const h = decodeHeader(golden, 0)
  expect({ action: ours.action, info: ours.info, id: ours.id, args: ours.args.length }).toEqual({
    action: h.action,
    info: h.info,
    id: h.id,
    args: h.args
  })
}

describe("golden frames of the original", () => {
  let server: RunningServer
  const alice = goldenKey("alice")
  const bob = goldenKey("bob")
  const clients: Array<TestClient> = []
  let a: TestClient
  let b: TestClient

  beforeAll(async () => {
    server = await start(`sqlite:${path.join(tempDir(), "golden.db")}`)
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await server?.close()
  })

  const connect = async () => {
    const c = await TestClient.connect(server.port)
    clients.push(c)
    return c
  }

  it("HELLO, REG, LOGIN/VERIF, REQ, USRS, MSG, RECIV, SUB, LOGOUT and hooks match", async () => {
    a = await connect()
    expect(encode(await a.next())).toEqual(frame("hello"))

    a.sendRaw(frame("reg"))
    expect(encode(await a.next())).toEqual(frame("reg_ok"))

    a.sendRaw(frame("login"))
    const challenge = await a.next()
    expect(encode(challenge).subarray(0, 10)).toEqual(frame("verif_s2c").subarray(0, 10))
    const answer = Either.getOrThrow(decrypt(alice.key, challenge.args[0]))
    a.send(Action.VERIF, ["alice", answer], { id: decodeHeader(frame("verif_c2s"), 0).id })
    expect(encode(await a.next())).toEqual(frame("ok"))

    a.sendRaw(frame("req_self_c2s"))
    const self = await a.next()
    expect(self.action).toBe(Action.REQ)
    expect(self.id).toBe(decodeHeader(frame("req_self_c2s"), 0).id)
    expect(text(self.args[0])).toBe("alice")
    expect(text(self.args[1])).toBe(alice.pem)
    expect([...self.args[2]]).toEqual([0])

    b = await TestClient.open(server.port)
    clients.push(b)
    expect((await b.register("bob", bob.pem)).action).toBe(Action.OK)

    a.sendRaw(frame("usrs_all_c2s"))
    expect(encode(await a.next())).toEqual(frame("usrs_all_s2c"))
    a.sendRaw(frame("usrs_online_c2s"))
    expect(encode(await a.next())).toEqual(frame("usrs_online_s2c"))
    a.sendRaw(frame("req_c2s"))
    expect(encode(await a.next())).toEqual(frame("req_s2c"))
    a.sendRaw(frame("req_nobody_c2s"))
    expect(encode(await a.next())).toEqual(frame("err_notfound"))
    a.sendRaw(frame("msg_offline_c2s"))
    expect(encode(await a.next())).toEqual(frame("msg_offline_ok"))

    expect((await b.login("bob", bob.key)).reply.action).toBe(Action.OK)
    b.sendRaw(frame("reciv_c2s"))
    expect(encode(await b.next())).toEqual(frame("reciv_ok"))
    const caught = await b.next()
    const offlineArgs = argsOf(frame("msg_offline_c2s"))
    expect(caught.action).toBe(Action.RECIV)
    expect(caught.id).toBe(NULL_ID)
    expect(text(caught.args[0])).toBe("alice")
    expect(Buffer.from(caught.args[1])).toEqual(offlineArgs[1])
    expect(Buffer.from(caught.args[2])).toEqual(offlineArgs[2])
    sameLayout(caught, frame("reciv_catchup_1"))
    b.send(Action.RECIV, [], { id: decodeHeader(frame("err_empty"), 0).id })
    expect(encode(await b.next())).toEqual(frame("err_empty"))

    a.sendRaw(frame("msg_online_c2s"))
    expect(encode(await b.next())).toEqual(frame("reciv_push"))
    const onlineOk = await a.next()
    expect(onlineOk.action).toBe(Action.OK)
    expect(onlineOk.id).toBe(decodeHeader(frame("msg_online_c2s"), 0).id)

    b.sendRaw(frame("msg_bob_to_alice_c2s"))
    expect(encode(await a.next())).toEqual(frame("reciv_push_to_alice"))
    expect((await b.next()).action).toBe(Action.OK)

    a.sendRaw(frame("sub_c2s"))
    expect((await a.next()).action).toBe(Action.OK)
    b.sendRaw(frame("logout_c2s"))
    expect((await b.next()).action).toBe(Action.OK)
    expect(encode(await a.next())).toEqual(frame("hook_newlogout"))
    expect((await b.login("bob", bob.key)).reply.action).toBe(Action.OK)
    expect(encode(await a.next())).toEqual(frame("hook_newlogin"))

    a.sendRaw(frame("usrs_onlineperms_c2s"))
    const perms = await a.next()
    sameLayout(perms, frame("usrs_onlineperms_s2c"))
    expect(text(perms.args[0])).toBe("alice 0\nbob 0")
  })

  it("a ciphertext containing CRLF is relayed intact (the original rejected it)", async () => {
    const crlf = frame("msg_crlf_c2s")
    a.sendRaw(crlf)
    const pushed = await b.waitFor((p) => p.action === Action.RECIV)
    expect(Buffer.from(pushed.args[2])).toEqual(argsOf(crlf)[2])
    expect(Buffer.from(pushed.args[2]).includes("\r\n")).toBe(true)
    const ok = await a.reply(decodeHeader(crlf, 0).id)
    expect(ok.action).toBe(Action.OK)
  })

  it("raw-client frames: KEEP, ERR_NOSESS, REG ERR_EXISTS / ERR_ARGS, VERIF ERR_HANDSHAKE", async () => {
    const c = await TestClient.open(server.port)
    clients.push(c)
    c.sendRaw(frame("keep"))
    c.send(Action.USRS, [], { info: 0, id: decodeHeader(frame("err_nosess"), 0).id })
    expect(encode(await c.next())).toEqual(frame("err_nosess"))
    c.sendRaw(frame("reg_raw_c2s"))
    expect((await c.next()).action).toBe(Action.OK)
    const again = Buffer.from(frame("reg_raw_c2s"))
    again.writeUInt16BE((again.readUInt16BE(4) & 0xfc00) | decodeHeader(frame("err_exists"), 0).id, 4)
    c.sendRaw(again)
    expect(encode(await c.next())).toEqual(frame("err_exists"))
    c.sendRaw(frame("reg_badname_c2s"))
    expect(encode(await c.next())).toEqual(frame("err_args"))
    expect((await c.request(Action.LOGIN, ["carol"])).action).toBe(Action.VERIF)
    c.sendRaw(frame("verif_wrong_c2s"))
    expect(encode(await c.next())).toEqual(frame("err_handshake"))
  })

  it("a bad version gets ERR_VERSION with the Null ID, then the close", async () => {
    const c = await TestClient.open(server.port)
    clients.push(c)
    c.sendRaw(frame("badver_c2s"))
    const err = await c.next()
    expect(encode(err)).toEqual(frame("err_version_nullid"))
    expect(err.info).not.toBe(EMPTY_INFO)
    await c.waitClosed()
  })
})
