/**
 * ADMIN operations at every permission level with each error path, HOOK_PERMSCHG, MOTD persistence and
 * scheduled shutdown; over real sockets against SQLite and MariaDB.
 */
import { Action, AdminOp, decodeStamp, encodeStamp, ErrorCode, HookType, NULL_ID, Permission } from "@gochat/protocol"
import { decrypt } from "@gochat/crypto"
import { Either } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { ClientPool, type Received, TestClient, text } from "./support/client.js"
import { backends, freshIdentities, type Identity, setLevel, start, testCertificate } from "./support/fixtures.js"

const errCode = (p: Received) => (p.action === Action.ERR ? p.info : -1)
const now = () => Math.floor(Date.now() / 1000)

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(10)
})

describe.each(backends)("ADMIN on $name", (backend) => {
  let server: RunningServer
  let db: string
  const pool = new ClientPool(() => server.port, () => server.tlsPort)
  const open = (tls = false) => pool.open(tls)
  const login = (name: string, id: Identity, tls = false) => pool.login(name, id, tls)
  const register = async (name: string, id: Identity, level = 0) => {
    const c = await open()
    expect((await c.register(name, id.pem)).action).toBe(Action.OK)
    if (level > 0) expect(await setLevel(server.settings, name, level)).toBe(true)
    c.close()
  }
  const admin = (c: TestClient, op: number, args: ReadonlyArray<Uint8Array | string> = []) =>
    c.request(Action.ADMIN, args, op)

  beforeAll(async () => {
    db = backend.fresh()
    server = await start(db, { tls: testCertificate() })
    await register("olga", ids[0], Permission.OWNER)
    await register("oscar", ids[1], Permission.OWNER)
    await register("adam", ids[2], Permission.ADMIN)
    await register("ada", ids[3], Permission.ADMIN)
    await register("uri", ids[4])
    await register("ulla", ids[5])
    await register("ugo", ids[6])
    await register("uwe", ids[7])
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("checks in the original's order: USER → ERR_PERMS, unknown op → ERR_INVALID, few args → ERR_ARGS, level → ERR_PERMS", async () => {
    const user = await login("uri", ids[4])
    for (const op of [AdminOp.SHTDWN, AdminOp.KICK, AdminOp.MOTD, 9]) expect(errCode(await admin(user, op, ["x"]))).toBe(ErrorCode.PERMS)
    const adm = await login("adam", ids[2])
    expect(errCode(await admin(adm, 9, ["x"]))).toBe(ErrorCode.INVALID)
    expect(errCode(await admin(adm, AdminOp.KICK))).toBe(ErrorCode.ARGS)
    expect(errCode(await admin(adm, AdminOp.CHGPERMS, ["uri"]))).toBe(ErrorCode.ARGS)
    expect(errCode(await admin(adm, AdminOp.CHGPERMS, ["uri", Uint8Array.of(1)]))).toBe(ErrorCode.PERMS)
    expect(errCode(await admin(adm, AdminOp.MOTD, ["new"]))).toBe(ErrorCode.PERMS)
    user.close()
    adm.close()
  })

  it("KICK: ERR_NOTFOUND, ERR_PERMS for peers and self, closes the target, drops its token, HOOK_NEWLOGOUT", async () => {
    const adm = await login("adam", ids[2])
    const peer = await login("ada", ids[3])
    const target = await login("ulla", ids[5], true)
    const watcher = await login("uwe", ids[7])
    expect((await watcher.request(Action.SUB, [], HookType.NEWLOGOUT)).action).toBe(Action.OK)
    expect(errCode(await admin(adm, AdminOp.KICK, ["nobody"]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await admin(adm, AdminOp.KICK, ["ugo"]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await admin(adm, AdminOp.KICK, ["ada"]))).toBe(ErrorCode.PERMS)
    expect(errCode(await admin(adm, AdminOp.KICK, ["adam"]))).toBe(ErrorCode.PERMS)
    expect((await admin(adm, AdminOp.KICK, ["ULLA"])).action).toBe(Action.OK)
    await target.waitClosed()
    const hook = await watcher.waitFor((p) => p.action === Action.HOOK && text(p.args[0]) === "ulla")
    expect(hook.info).toBe(HookType.NEWLOGOUT)
    // a kicked TLS user's token is gone: a full login is needed
    const back = await open(true)
    expect(errCode(await back.request(Action.LOGIN, ["ulla", "x".repeat(128)]))).toBe(ErrorCode.NOTFOUND)
    expect((await back.login("ulla", ids[5].key)).reply.action).toBe(Action.OK)
    for (const c of [adm, peer, back, watcher]) c.close()
  })

  it("DEREG (ban): ERR_NOTFOUND, ERR_PERMS, closes the target, burns the name", async () => {
    const adm = await login("ada", ids[3])
    const target = await login("ugo", ids[6])
    expect(errCode(await admin(adm, AdminOp.DEREG, ["nobody"]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await admin(adm, AdminOp.DEREG, ["adam"]))).toBe(ErrorCode.PERMS)
    expect(errCode(await admin(adm, AdminOp.DEREG, ["olga"]))).toBe(ErrorCode.PERMS)
    expect((await admin(adm, AdminOp.DEREG, ["ugo"])).action).toBe(Action.OK)
    await target.waitClosed()
    const c = await open()
    expect(errCode(await c.request(Action.LOGIN, ["ugo"]))).toBe(ErrorCode.DEREG)
    expect(errCode(await c.register("ugo", ids[8].pem))).toBe(ErrorCode.DEREG)
    adm.close()
  })

  it("BRDCAST: ERR_NOSECURE over TCP; over TLS a RECIV encrypted to every other online user", async () => {
    const plainAdmin = await login("adam", ids[2])
    expect(errCode(await admin(plainAdmin, AdminOp.BRDCAST, ["hello"]))).toBe(ErrorCode.NOSECURE)
    plainAdmin.close()
    const tlsAdmin = await login("adam", ids[2], true)
    const u1 = await login("uri", ids[4])
    const u2 = await login("ulla", ids[5], true)
    expect((await admin(tlsAdmin, AdminOp.BRDCAST, ["hello all"])).action).toBe(Action.OK)
    for (const [c, id] of [[u1, ids[4]], [u2, ids[5]]] as const) {
      const m = await c.waitFor((p) => p.action === Action.RECIV)
      expect(m.id).toBe(NULL_ID)
      expect(text(m.args[0])).toBe("adam")
      expect(Math.abs(decodeStamp(m.args[1])! - now())).toBeLessThanOrEqual(2)
      expect(text(Either.getOrThrow(decrypt(id.key, m.args[2])))).toBe("ADMINISTRATIVE BROADCAST:\nhello all")
    }
    // too long for the recipients' keys: refused, nothing sent
    expect(errCode(await admin(tlsAdmin, AdminOp.BRDCAST, ["x".repeat(400)]))).toBe(ErrorCode.MAXSIZE)
    expect(tlsAdmin.pending().filter((p) => p.action === Action.RECIV)).toEqual([])
    for (const c of [tlsAdmin, u1, u2]) c.close()
  })

  it("CHGPERMS: OWNER only, each error, exactly one reply, HOOK_PERMSCHG, online level updated at once", async () => {
    const owner = await login("olga", ids[0])
    const target = await login("uri", ids[4])
    const watcher = await login("uwe", ids[7])
    expect((await watcher.request(Action.SUB, [], HookType.PERMSCHG)).action).toBe(Action.OK)
    const lvl = (n: number) => Uint8Array.of(n)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["olga", lvl(1)]))).toBe(ErrorCode.INVALID)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["nobody", lvl(1)]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["uri", lvl(3)]))).toBe(ErrorCode.ARGS)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["uri", new Uint8Array()]))).toBe(ErrorCode.ARGS)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["uri", lvl(2)]))).toBe(ErrorCode.PERMS)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["oscar", lvl(1)]))).toBe(ErrorCode.PERMS)
    expect(errCode(await admin(owner, AdminOp.CHGPERMS, ["uri", lvl(0)]))).toBe(ErrorCode.INVALID)
    // the target cannot KICK yet
    expect(errCode(await admin(target, AdminOp.KICK, ["nobody"]))).toBe(ErrorCode.PERMS)
    const id = owner.send(Action.ADMIN, ["uri", lvl(1)], { info: AdminOp.CHGPERMS })
    const reply = await owner.reply(id)
    expect(reply.action).toBe(Action.OK)
    const hook = await watcher.waitFor((p) => p.action === Action.HOOK)
    expect(hook.info).toBe(HookType.PERMSCHG)
    expect(text(hook.args[0])).toBe("uri")
    expect([...hook.args[1]]).toEqual([1])
    // at once, without a new login
    expect(errCode(await admin(target, AdminOp.KICK, ["nobody"]))).toBe(ErrorCode.NOTFOUND)
    expect([...(await watcher.request(Action.REQ, ["uri"])).args[2]]).toEqual([1])
    // exactly one reply to the CHGPERMS: the next packet owner gets is this REQ's reply
    const req = await owner.request(Action.REQ, ["olga"])
    expect(req.action).toBe(Action.REQ)
    expect(owner.pending()).toEqual([])
    expect((await admin(owner, AdminOp.CHGPERMS, ["uri", lvl(0)])).action).toBe(Action.OK)
    for (const c of [owner, target, watcher]) c.close()
  })

  it("MOTD: OWNER only; used by later HELLOs and kept across a restart", async () => {
    const adm = await login("adam", ids[2])
    expect(errCode(await admin(adm, AdminOp.MOTD, ["nope"]))).toBe(ErrorCode.PERMS)
    const owner = await login("olga", ids[0])
    expect((await admin(owner, AdminOp.MOTD, ["Welcome back, ¡olé!"])).action).toBe(Action.OK)
    expect((await open()).motd).toBe("Welcome back, ¡olé!")
    pool.closeAll()
    await server.close()
    server = await start(db, { tls: testCertificate() })
    expect((await open()).motd).toBe("Welcome back, ¡olé!")
  })
})

describe.each(backends)("scheduled shutdown on $name", (backend) => {
  it("ADMIN_SHTDWN: ERR_ARGS for a past or bad stamp; SHTDWN to everyone first; a later schedule replaces it", async () => {
    const server = await start(backend.fresh())
    const clients: Array<TestClient> = []
    try {
      const reg = await TestClient.open(server.port)
      clients.push(reg)
      expect((await reg.register("boss", ids[9].pem)).action).toBe(Action.OK)
      expect(await setLevel(server.settings, "boss", Permission.ADMIN)).toBe(true)
      const { reply } = await reg.login("boss", ids[9].key)
      expect(reply.action).toBe(Action.OK)
      const anon = await TestClient.open(server.port)
      clients.push(anon)

      expect(errCode(await reg.request(Action.ADMIN, [encodeStamp(now() - 5)], AdminOp.SHTDWN))).toBe(ErrorCode.ARGS)
      expect(errCode(await reg.request(Action.ADMIN, [new Uint8Array()], AdminOp.SHTDWN))).toBe(ErrorCode.ARGS)

      const firstAt = now() + 2
      const first = encodeStamp(firstAt)
      const id1 = reg.send(Action.ADMIN, [first], { info: AdminOp.SHTDWN })
      const announced = await reg.next()
      expect(announced.action).toBe(Action.SHTDWN)
      expect(announced.id).toBe(NULL_ID)
      expect([...announced.args[0]]).toEqual([...first])
      expect((await reg.next()).id).toBe(id1)
      const anonNotice = await anon.waitFor((p) => p.action === Action.SHTDWN)
      expect([...anonNotice.args[0]]).toEqual([...first])

      // replace it with a later one
      const laterAt = firstAt + 2
      expect((await reg.request(Action.ADMIN, [encodeStamp(laterAt)], AdminOp.SHTDWN)).action).toBe(Action.OK)
      // still serving after the first time passed (the time passing is what is tested here)
      await new Promise((r) => setTimeout(r, firstAt * 1000 + 300 - Date.now()))
      const alive = await reg.request(Action.REQ, ["boss"])
      expect(alive.action).toBe(Action.REQ)
      // then the server stops by itself: connections closed, `stopped` resolves
      await server.stopped
      expect(Date.now()).toBeGreaterThanOrEqual(laterAt * 1000 - 50)
      await reg.waitClosed()
      await anon.waitClosed()
    } finally {
      for (const c of clients) c.close()
      await server.close()
    }
  })
})
