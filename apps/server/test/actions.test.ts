/**
 * Every client action over real sockets, against SQLite and MariaDB: the success path and each error
 * code of section 2.4 for it.
 */
import { Action, EMPTY_INFO, encodeStamp, ErrorCode, HookType, NULL_ID, UsrsType } from "@gochat/protocol"
import { decrypt, encrypt } from "@gochat/crypto"
import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { ClientPool, TestClient, text } from "./support/client.js"
import { backends, execSql, freshIdentities, goldenKey, type Identity, start } from "./support/fixtures.js"

const alice = goldenKey("alice")
const bob = goldenKey("bob")
let extra: Array<Identity>

beforeAll(async () => {
  extra = await freshIdentities(8)
})

const errCode = (p: { action: number; info: number }) => (p.action === Action.ERR ? p.info : -1)

describe.each(backends)("actions on $name", (backend) => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  const open = () => pool.open()
  /** A registered and logged-in client. */
  const session = (name: string, id: Identity) => pool.session(name, id)

  beforeAll(async () => {
    server = await start(backend.fresh(), { motd: "hi there" })
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("sends HELLO with the MOTD and the Null ID on connect", async () => {
    const c = pool.adopt(await TestClient.connect(server.port))
    const hello = await c.next()
    expect(hello.action).toBe(Action.HELLO)
    expect(hello.id).toBe(NULL_ID)
    expect(hello.info).toBe(EMPTY_INFO)
    expect(text(hello.args[0])).toBe("hi there")
  })

  it("REG: success, lowercasing, and ERR_ARGS / ERR_EXISTS / ERR_DEREG / ERR_INVALID", async () => {
    const c = await open()
    expect((await c.register("Alice", alice.pem)).action).toBe(Action.OK)
    // Alice and alice are one account
    expect(errCode(await c.register("alice", bob.pem))).toBe(ErrorCode.EXISTS)
    // the same key under another name
    expect(errCode(await c.register("alice2", alice.pem))).toBe(ErrorCode.EXISTS)
    for (const bad of ["Bad User", "", "x".repeat(33), "ünï"]) {
      expect(errCode(await c.register(bad, extra[0].pem))).toBe(ErrorCode.ARGS)
    }
    expect(errCode(await c.register("garbage", "not a key"))).toBe(ErrorCode.ARGS)
    // too short a header: REG needs 2 args -> malformed, tested in malformed.test.ts
    const { reply } = await c.login("ALICE", alice.key)
    expect(reply.action).toBe(Action.OK)
    expect(errCode(await c.register("other", extra[1].pem))).toBe(ErrorCode.INVALID)
  })

  it("LOGIN / VERIF: ERR_NOTFOUND, ERR_HANDSHAKE, ERR_INVALID, ERR_DUPSESS with HOOK_DUPSESS, ERR_NOSECURE", async () => {
    const holder = await session("bob", bob)
    expect((await holder.request(Action.SUB, [], HookType.DUPSESS)).action).toBe(Action.OK)

    const c = await open()
    expect(errCode(await c.request(Action.LOGIN, ["nobody"]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await c.request(Action.LOGIN, ["Not Valid"]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await c.request(Action.LOGIN, ["bob"]))).toBe(ErrorCode.DUPSESS)
    const hook = await holder.waitFor((p) => p.action === Action.HOOK)
    expect(hook.info).toBe(HookType.DUPSESS)
    expect(hook.id).toBe(NULL_ID)
    expect(text(hook.args[0])).toBe("127.0.0.1")

    expect((await c.register("carol", extra[2].pem)).action).toBe(Action.OK)
    // VERIF without a pending challenge
    expect(errCode(await c.request(Action.VERIF, ["carol", "x".repeat(128)]))).toBe(ErrorCode.INVALID)
    // wrong answer, then the challenge is gone
    const challenge = await c.request(Action.LOGIN, ["carol"])
    expect(challenge.action).toBe(Action.VERIF)
    expect(challenge.args[0].length).toBe(256)
    expect(errCode(await c.request(Action.VERIF, ["carol", "wrong"]))).toBe(ErrorCode.HANDSHAKE)
    expect(errCode(await c.request(Action.VERIF, ["carol", "wrong"]))).toBe(ErrorCode.INVALID)
    // a challenge of another connection can not be answered here
    const other = await open()
    const foreign = await other.request(Action.LOGIN, ["carol"])
    expect(foreign.action).toBe(Action.VERIF)
    expect(errCode(await c.request(Action.VERIF, ["carol", "whatever"]))).toBe(ErrorCode.INVALID)
    // token login over plain TCP
    expect(errCode(await c.request(Action.LOGIN, ["carol", "sometoken"]))).toBe(ErrorCode.NOSECURE)
    // successful login; then LOGIN/VERIF/REG are invalid
    expect((await c.login("carol", extra[2].key)).reply.action).toBe(Action.OK)
    expect(errCode(await c.request(Action.LOGIN, ["carol"]))).toBe(ErrorCode.INVALID)
    expect(errCode(await c.request(Action.VERIF, ["carol", "x"]))).toBe(ErrorCode.INVALID)
    // the other connection's pending challenge can no longer log in a second session
    expect(errCode(await other.request(Action.LOGIN, ["carol"]))).toBe(ErrorCode.DUPSESS)
  })

  it("two concurrent logins of one user: exactly one succeeds, the other gets ERR_DUPSESS", async () => {
    const [id] = await freshIdentities(1)
    const c1 = await open()
    const c2 = await open()
    expect((await c1.register("twin", id.pem)).action).toBe(Action.OK)
    const [ch1, ch2] = await Promise.all([c1.request(Action.LOGIN, ["twin"]), c2.request(Action.LOGIN, ["twin"])])
    expect([ch1.action, ch2.action]).toEqual([Action.VERIF, Action.VERIF])
    const answer = (p: typeof ch1) => Either.getOrThrow(decrypt(id.key, p.args[0]))
    const id1 = c1.send(Action.VERIF, ["twin", answer(ch1)])
    const id2 = c2.send(Action.VERIF, ["twin", answer(ch2)])
    const replies = await Promise.all([c1.reply(id1), c2.reply(id2)])
    expect(replies.map(errCode).sort()).toEqual([-1, ErrorCode.DUPSESS])
  })

  it("LOGOUT: ERR_NOSESS, cancels a pending verification, ends the session with HOOK_NEWLOGOUT", async () => {
    const watcher = await session("dave", extra[3])
    expect((await watcher.request(Action.SUB, [], HookType.ALL)).action).toBe(Action.OK)
    const c = await open()
    expect(errCode(await c.request(Action.LOGOUT))).toBe(ErrorCode.NOSESS)
    expect((await c.register("erin", extra[4].pem)).action).toBe(Action.OK)
    expect((await c.request(Action.LOGIN, ["erin"])).action).toBe(Action.VERIF)
    expect((await c.request(Action.LOGOUT)).action).toBe(Action.OK)
    expect(errCode(await c.request(Action.VERIF, ["erin", "x"]))).toBe(ErrorCode.INVALID)
    expect((await c.login("erin", extra[4].key)).reply.action).toBe(Action.OK)
    const login = await watcher.waitFor((p) => p.action === Action.HOOK && p.info === HookType.NEWLOGIN)
    expect(text(login.args[0])).toBe("erin")
    expect([...login.args[1]]).toEqual([0])
    expect((await c.request(Action.LOGOUT)).action).toBe(Action.OK)
    const logout = await watcher.waitFor((p) => p.action === Action.HOOK && p.info === HookType.NEWLOGOUT)
    expect(text(logout.args[0])).toBe("erin")
    // the connection stays usable
    expect((await c.login("erin", extra[4].key)).reply.action).toBe(Action.OK)
  })

  it("REQ: ERR_NOSESS, ERR_NOTFOUND, ERR_DEREG, and name + canonical PEM + raw permission byte", async () => {
    const anon = await open()
    expect(errCode(await anon.request(Action.REQ, ["bob"]))).toBe(ErrorCode.NOSESS)
    const c = await session("frank", extra[5])
    expect(errCode(await c.request(Action.REQ, ["nobody"]))).toBe(ErrorCode.NOTFOUND)
    const reply = await c.request(Action.REQ, ["BOB"])
    expect(reply.action).toBe(Action.REQ)
    expect(text(reply.args[0])).toBe("bob")
    expect(text(reply.args[1])).toBe(bob.pem)
    expect([...reply.args[2]]).toEqual([0])
    const self = await c.request(Action.REQ, ["frank"])
    expect(text(self.args[1])).toBe(extra[5].pem)
  })

  it("DEREG: ERR_NOSESS; burns the name; the user's pending messages are still delivered", async () => {
    const anon = await open()
    expect(errCode(await anon.request(Action.DEREG))).toBe(ErrorCode.NOSESS)
    const gone = await session("gina", extra[6])
    const offlineTarget = await open()
    expect((await offlineTarget.register("hank", extra[7].pem)).action).toBe(Action.OK)
    expect((await gone.msg("hank", Uint8Array.of(7, 7))).action).toBe(Action.OK)
    expect((await gone.request(Action.DEREG)).action).toBe(Action.OK)
    // the connection is anonymous again
    expect(errCode(await gone.request(Action.REQ, ["hank"]))).toBe(ErrorCode.NOSESS)
    expect(errCode(await gone.register("gina", extra[0].pem))).toBe(ErrorCode.DEREG)
    expect(errCode(await gone.request(Action.LOGIN, ["gina"]))).toBe(ErrorCode.DEREG)
    const viewer = await session("ivan", extra[0])
    expect(errCode(await viewer.request(Action.REQ, ["gina"]))).toBe(ErrorCode.DEREG)
    expect(errCode(await viewer.msg("gina", Uint8Array.of(1)))).toBe(ErrorCode.DEREG)
    // hank still gets gina's message
    expect((await offlineTarget.login("hank", extra[7].key)).reply.action).toBe(Action.OK)
    expect((await offlineTarget.request(Action.RECIV)).action).toBe(Action.OK)
    const m = await offlineTarget.waitFor((p) => p.action === Action.RECIV)
    expect(text(m.args[0])).toBe("gina")
    expect([...m.args[2]]).toEqual([7, 7])
  })

  it("USRS: all four kinds sorted, deregistered users excluded, ERR_OPTION, ERR_NOSESS", async () => {
    const anon = await open()
    expect(errCode(await anon.request(Action.USRS, [], UsrsType.ALL))).toBe(ErrorCode.NOSESS)
    const c = await session("zed", (await freshIdentities(1))[0])
    const all = text((await c.request(Action.USRS, [], UsrsType.ALL)).args[0]).split("\n")
    expect(all).toEqual([...all].sort())
    expect(all).toContain("alice")
    expect(all).toContain("zed")
    expect(all).not.toContain("gina")
    const allPerms = text((await c.request(Action.USRS, [], UsrsType.ALLPERMS)).args[0]).split("\n")
    expect(allPerms).toEqual(all.map((n) => `${n} 0`))
    const onlineReply = await c.request(Action.USRS, [], UsrsType.ONLINE)
    expect(onlineReply.info).toBe(EMPTY_INFO)
    const online = text(onlineReply.args[0]).split("\n")
    expect(online).toEqual([...online].sort())
    expect(online).toContain("zed")
    expect(online).not.toContain("hank2")
    const onlinePerms = text((await c.request(Action.USRS, [], UsrsType.ONLINEPERMS)).args[0]).split("\n")
    expect(onlinePerms).toEqual(online.map((n) => `${n} 0`))
    expect(errCode(await c.request(Action.USRS, [], 7))).toBe(ErrorCode.OPTION)
  })

  it("MSG and RECIV: online relay, offline store, catch-up order, ERR_INVALID / ERR_NOTFOUND / ERR_ARGS / ERR_EMPTY", async () => {
    const [kim, lee] = await freshIdentities(2)
    const anon = await open()
    expect(errCode(await anon.msg("bob", Uint8Array.of(1)))).toBe(ErrorCode.NOSESS)
    expect(errCode(await anon.request(Action.RECIV))).toBe(ErrorCode.NOSESS)
    const k = await session("kim", kim)
    expect(errCode(await k.msg("kim", Uint8Array.of(1)))).toBe(ErrorCode.INVALID)
    expect(errCode(await k.msg("KIM", Uint8Array.of(1)))).toBe(ErrorCode.INVALID)
    expect(errCode(await k.msg("nobody", Uint8Array.of(1)))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await k.request(Action.MSG, ["bob", new Uint8Array(), Uint8Array.of(1)]))).toBe(ErrorCode.ARGS)
    expect(errCode(await k.request(Action.RECIV))).toBe(ErrorCode.EMPTY)

    const l = await open()
    expect((await l.register("lee", lee.pem)).action).toBe(Action.OK)
    // offline: stored with stamps out of order; catch-up is in arrival order
    const ciphertexts = [0, 1, 2, 3].map((i) => Either.getOrThrow(encrypt(lee.key, Buffer.from(`m${i}`))))
    const stamps = [1_754_476_540, 1_754_476_500, 1_754_476_600, 1_754_476_000]
    for (let i = 0; i < 4; i++) expect((await k.msg("lee", ciphertexts[i], stamps[i])).action).toBe(Action.OK)
    expect(errCode(await k.request(Action.MSG, ["lee", new Uint8Array(), Uint8Array.of(1)]))).toBe(ErrorCode.ARGS)
    expect((await l.login("lee", lee.key)).reply.action).toBe(Action.OK)
    const id = l.send(Action.RECIV)
    const first = await l.next()
    expect(first.action).toBe(Action.OK)
    expect(first.id).toBe(id)
    for (let i = 0; i < 4; i++) {
      const r = await l.next()
      expect(r.action).toBe(Action.RECIV)
      expect(r.id).toBe(NULL_ID)
      expect(text(r.args[0])).toBe("kim")
      expect([...r.args[1]]).toEqual([...encodeStamp(stamps[i])])
      expect(Buffer.from(r.args[2]).equals(Buffer.from(ciphertexts[i]))).toBe(true)
    }
    expect(errCode(await l.request(Action.RECIV))).toBe(ErrorCode.EMPTY)

    // online: relayed at once, stamp verbatim
    const stamp = encodeStamp(1_754_476_540)
    const ok = await k.request(Action.MSG, ["Lee", stamp, ciphertexts[0]])
    expect(ok.action).toBe(Action.OK)
    const pushed = await l.waitFor((p) => p.action === Action.RECIV)
    expect(pushed.id).toBe(NULL_ID)
    expect(text(pushed.args[0])).toBe("kim")
    expect([...pushed.args[1]]).toEqual([...stamp])
    expect(Buffer.from(pushed.args[2]).equals(Buffer.from(ciphertexts[0]))).toBe(true)
    // nothing was stored for an online delivery
    expect(errCode(await l.request(Action.RECIV))).toBe(ErrorCode.EMPTY)
  })

  it("SUB / UNSUB: ERR_NOSESS, ERR_OPTION, ERR_EXISTS, ERR_NOTFOUND, ALL", async () => {
    const anon = await open()
    expect(errCode(await anon.request(Action.SUB, [], HookType.NEWLOGIN))).toBe(ErrorCode.NOSESS)
    expect(errCode(await anon.request(Action.UNSUB, [], HookType.NEWLOGIN))).toBe(ErrorCode.NOSESS)
    const c = await session("mia", (await freshIdentities(1))[0])
    expect(errCode(await c.request(Action.SUB, [], 9))).toBe(ErrorCode.OPTION)
    expect(errCode(await c.request(Action.UNSUB, [], 9))).toBe(ErrorCode.OPTION)
    expect((await c.request(Action.SUB, [], HookType.NEWLOGIN)).action).toBe(Action.OK)
    expect(errCode(await c.request(Action.SUB, [], HookType.NEWLOGIN))).toBe(ErrorCode.EXISTS)
    expect((await c.request(Action.SUB, [], HookType.ALL)).action).toBe(Action.OK)
    expect((await c.request(Action.SUB, [], HookType.ALL)).action).toBe(Action.OK)
    expect((await c.request(Action.UNSUB, [], HookType.PERMSCHG)).action).toBe(Action.OK)
    expect(errCode(await c.request(Action.UNSUB, [], HookType.PERMSCHG))).toBe(ErrorCode.NOTFOUND)
    expect((await c.request(Action.UNSUB, [], HookType.ALL)).action).toBe(Action.OK)
    expect(errCode(await c.request(Action.UNSUB, [], HookType.NEWLOGIN))).toBe(ErrorCode.NOTFOUND)
  })

  it("KEEP gets no reply; server-only actions get ERR_NOSESS, or ERR_INVALID once logged in", async () => {
    const c = await open()
    c.send(Action.KEEP)
    const id = c.send(Action.OK)
    const next = await c.next()
    expect(next.id).toBe(id)
    expect(errCode(next)).toBe(ErrorCode.NOSESS)
    for (const action of [Action.HELLO, Action.HOOK, Action.SHTDWN]) {
      expect(errCode(await c.request(action, [], action === Action.HOOK ? 1 : undefined))).toBe(ErrorCode.NOSESS)
    }
    const s = await session("ned", (await freshIdentities(1))[0])
    s.send(Action.KEEP)
    const id2 = s.send(Action.HELLO, ["x"])
    const reply = await s.next()
    expect(reply.id).toBe(id2)
    expect(errCode(reply)).toBe(ErrorCode.INVALID)
  })

  it("a database failure is ERR_SERVER and the connection stays usable (runs last: breaks the schema)", async () => {
    const [x, y] = await freshIdentities(2)
    const c = await session("xena", x)
    const other = await open()
    expect((await other.register("yuri", y.pem)).action).toBe(Action.OK)
    await execSql(server.settings, "DROP TABLE messages")
    expect(errCode(await c.msg("yuri", Uint8Array.of(1)))).toBe(ErrorCode.SERVER)
    expect(errCode(await c.request(Action.RECIV))).toBe(ErrorCode.SERVER)
    expect((await c.request(Action.REQ, ["yuri"])).action).toBe(Action.REQ)
  })
})
