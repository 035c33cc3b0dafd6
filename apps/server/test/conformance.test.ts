/**
 * Regression tests of the conformance review against the original (reference §2.3-2.5): the order of
 * checks where several errors apply at once, single replies, and sessions that must not outlive their
 * connection. SQLite only: none of this depends on the database engine.
 */
import { Action, AdminOp, ErrorCode, Permission } from "@gochat/protocol"
import { decrypt } from "@gochat/crypto"
import { Effect, Either, Layer, Logger } from "effect"
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest"
import { ServerConfig, Shutdown, type RunningServer, type ServerSettings } from "../src/index.js"
import { Presence, type Endpoint } from "../src/hubs/Presence.js"
import { Sessions } from "../src/hubs/Sessions.js"
import { LocalEndpoints } from "../src/hubs/LocalEndpoints.js"
import { TokenBucket } from "../src/hubs/Limits.js"
import { MAX_PENDING_PER_CONNECTION, Verifications } from "../src/hubs/Verifications.js"
import { Tokens } from "../src/hubs/Tokens.js"
import { ClientPool, type Received, TestClient } from "./support/client.js"
import { backends, execSql, freshIdentities, type Identity, setLevel, start, testCertificate, testTimeouts } from "./support/fixtures.js"

const errCode = (p: Received) => (p.action === Action.ERR ? p.info : -1)
const BAD_STAMP = Uint8Array.of(0x80) // a varint that never ends

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(14)
})

describe("conformance with the original (sqlite)", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port, () => server.tlsPort)
  const open = (tls = false) => pool.open(tls)
  const session = (name: string, id: Identity, tls = false) => pool.login(name, id, tls)

  beforeAll(async () => {
    server = await start(backends[0].fresh(), { tls: testCertificate() })
    const c = await TestClient.open(server.port)
    for (let i = 0; i < ids.length; i++) expect((await c.register(`u${i}`, ids[i].pem)).action).toBe(Action.OK)
    c.close()
    expect(await setLevel(server.settings, "u0", Permission.OWNER)).toBe(true)
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("MSG: oneself and unknown recipients are checked before the stamp", async () => {
    const c = await session("u1", ids[1])
    const online = await session("u2", ids[2])
    expect(errCode(await c.request(Action.MSG, ["u1", BAD_STAMP, Uint8Array.of(1)]))).toBe(ErrorCode.INVALID)
    expect(errCode(await c.request(Action.MSG, ["nobody", BAD_STAMP, Uint8Array.of(1)]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await c.request(Action.MSG, ["u3", BAD_STAMP, Uint8Array.of(1)]))).toBe(ErrorCode.ARGS)
    expect(errCode(await c.request(Action.MSG, ["u2", BAD_STAMP, Uint8Array.of(1)]))).toBe(ErrorCode.ARGS)
    expect(online.pending()).toEqual([])
    c.close()
    online.close()
  })

  let owner: TestClient
  it("CHGPERMS: self, then the target, then the level byte", async () => {
    owner = await session("u0", ids[0])
    const chg = (args: Array<Uint8Array | string>) => owner.request(Action.ADMIN, args, AdminOp.CHGPERMS)
    expect(errCode(await chg(["u0", Uint8Array.of(9)]))).toBe(ErrorCode.INVALID)
    expect(errCode(await chg(["nobody", Uint8Array.of(9)]))).toBe(ErrorCode.NOTFOUND)
    expect(errCode(await chg(["u4", Uint8Array.of(9)]))).toBe(ErrorCode.ARGS)
    expect(errCode(await chg(["u4", new Uint8Array()]))).toBe(ErrorCode.ARGS)
    expect(errCode(await chg(["u4", Uint8Array.of(2)]))).toBe(ErrorCode.PERMS)
    expect(errCode(await chg(["u4", Uint8Array.of(0)]))).toBe(ErrorCode.INVALID)
    const ok = owner.send(Action.ADMIN, ["u4", Uint8Array.of(1)], { info: AdminOp.CHGPERMS })
    expect((await owner.reply(ok)).action).toBe(Action.OK)
    expect(errCode(await chg(["u4", Uint8Array.of(1)]))).toBe(ErrorCode.INVALID)
  })

  it("MOTD: bytes that are not UTF-8 are ERR_ARGS (they would be replaced and could outgrow HELLO)", async () => {
    const before = (await open()).motd
    expect(errCode(await owner.request(Action.ADMIN, [Uint8Array.of(0x41, 0xff)], AdminOp.MOTD))).toBe(ErrorCode.ARGS)
    expect(errCode(await owner.request(Action.ADMIN, [new Uint8Array(1000).fill(0xff)], AdminOp.MOTD))).toBe(ErrorCode.ARGS)
    expect((await open()).motd).toBe(before)
    expect((await owner.request(Action.ADMIN, ["h\u00e9llo \u2603"], AdminOp.MOTD)).action).toBe(Action.OK)
    expect((await open()).motd).toBe("h\u00e9llo \u2603")
  })

  it("REQ reports the stored level (as the original), also for a user online with an older one", async () => {
    const target = await session("u5", ids[5])
    const asker = await session("u6", ids[6])
    expect(await setLevel(server.settings, "u5", Permission.ADMIN)).toBe(true)
    const reply = await asker.request(Action.REQ, ["u5"])
    expect(reply.action).toBe(Action.REQ)
    expect([...reply.args[2]]).toEqual([Permission.ADMIN])
    target.close()
    asker.close()
  })

  it("a wrong VERIF answer also cancels the connection's other pending challenges", async () => {
    const c = await open()
    expect((await c.request(Action.LOGIN, ["u7"])).action).toBe(Action.VERIF)
    const other = await c.request(Action.LOGIN, ["u8"])
    expect(other.action).toBe(Action.VERIF)
    expect(errCode(await c.request(Action.VERIF, ["u7", "wrong"]))).toBe(ErrorCode.HANDSHAKE)
    const answer = Either.getOrThrow(decrypt(ids[8].key, other.args[0]))
    expect(errCode(await c.request(Action.VERIF, ["u8", answer]))).toBe(ErrorCode.INVALID)
    c.close()
  })

  it(`one connection holds at most ${MAX_PENDING_PER_CONNECTION} challenges; LOGIN for more names drops the oldest`, async () => {
    const c = await open()
    // users never logged in elsewhere (a closed session may not be released yet)
    const names = [3, 4, 7, 8, 9, 10, 11, 12, 13].slice(0, MAX_PENDING_PER_CONNECTION + 1)
    const challenges: Array<Received> = []
    for (const i of names) {
      const ch = await c.request(Action.LOGIN, [`u${i}`])
      expect(ch.action).toBe(Action.VERIF)
      challenges.push(ch)
    }
    const answer = (k: number) => Either.getOrThrow(decrypt(ids[names[k]].key, challenges[k].args[0]))
    expect(errCode(await c.request(Action.VERIF, [`u${names[0]}`, answer(0)]))).toBe(ErrorCode.INVALID)
    const last = names.length - 1
    expect((await c.request(Action.VERIF, [`u${names[last]}`, answer(last)])).action).toBe(Action.OK)
    c.close()
  })

  it("BRDCAST carries the text's bytes as sent", async () => {
    expect(await setLevel(server.settings, "u9", Permission.ADMIN)).toBe(true)
    const admin = await session("u9", ids[9], true)
    const listener = await session("u10", ids[10])
    const raw = Uint8Array.of(0x41, 0xff, 0xfe, 0x42)
    expect((await admin.request(Action.ADMIN, [raw], AdminOp.BRDCAST)).action).toBe(Action.OK)
    const got = await listener.waitFor((p) => p.action === Action.RECIV)
    const plain = Either.getOrThrow(decrypt(ids[10].key, got.args[2]))
    expect(Buffer.from(plain)).toEqual(Buffer.concat([Buffer.from("ADMINISTRATIVE BROADCAST:\n"), raw]))
    admin.close()
    listener.close()
  })

  it("RECIV: a database failure after the OK is not a second reply", async () => {
    const sender = await session("u11", ids[11])
    expect((await sender.msg("u12", Uint8Array.of(5))).action).toBe(Action.OK)
    const c = await session("u12", ids[12])
    await execSql(server.settings, "CREATE TRIGGER keep_messages BEFORE DELETE ON messages BEGIN SELECT RAISE(ABORT, 'kept'); END")
    try {
      const id = c.send(Action.RECIV)
      const ok = await c.next()
      expect([ok.action, ok.id]).toEqual([Action.OK, id])
      expect((await c.next()).action).toBe(Action.RECIV)
      // requests are answered in order: an ERR for the RECIV would come before this reply
      const probe = c.send(Action.REQ, ["u11"])
      const next = await c.next()
      expect([next.action, next.id]).toEqual([Action.REQ, probe])
    } finally {
      await execSql(server.settings, "DROP TRIGGER keep_messages")
    }
    // not deleted, so delivered again
    expect((await c.request(Action.RECIV)).action).toBe(Action.OK)
    expect((await c.next()).action).toBe(Action.RECIV)
    sender.close()
    c.close()
  })

  it("USRS over 2045 bytes: whole lines, sorted, as many as fit", async () => {
    await execSql(server.settings, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1200)
      INSERT INTO users (username, pubkey, permission, created_at)
      SELECT printf('zz%030d', i), CAST(printf('key%d', i) AS BLOB), 0, 0 FROM n`)
    const c = await session("u7", ids[7]) // a user no earlier test left online
    const names = [...Array.from({ length: 14 }, (_, i) => `u${i}`).sort(),
      ...Array.from({ length: 1200 }, (_, i) => `zz${String(i + 1).padStart(30, "0")}`)]
    for (const [kind, lineLength] of [[0, 0], [2, 2]] as const) {
      const reply = await c.request(Action.USRS, [], kind)
      expect(reply.action).toBe(Action.USRS)
      const list = Buffer.from(reply.args[0]).toString("utf8")
      const lines = list.split("\n")
      expect(lines.map((l) => l.split(" ")[0])).toEqual(names.slice(0, lines.length))
      if (kind === 2) for (const l of lines) expect(l).toMatch(/^[0-9a-z]+ [0-2]$/)
      expect(list.length).toBeLessThanOrEqual(2045)
      expect(list.length + 1 + names[lines.length].length + lineLength).toBeGreaterThan(2045)
    }
    c.close()
  })

  it("LOGIN and VERIF: a database failure is ERR_LOGIN, as the original's login gate (runs last)", async () => {
    const c = await open()
    await execSql(server.settings, "ALTER TABLE users RENAME TO users_gone")
    expect(errCode(await c.request(Action.LOGIN, ["u3"]))).toBe(ErrorCode.LOGIN)
    expect(errCode(await c.request(Action.VERIF, ["u3", "x"]))).toBe(ErrorCode.LOGIN)
    expect(errCode(await c.register("newbie", ids[0].pem))).toBe(ErrorCode.SERVER)
  })
})

describe("Sessions", () => {
  it("does not bind a user to a connection that is closing", async () => {
    const config = { timeouts: testTimeouts } as unknown as ServerSettings
    const endpoint: Endpoint = {
      id: 1,
      secure: false,
      ip: "127.0.0.1",
      user: undefined,
      hooks: new Set(),
      accepting: false,
      send: () => {},
      close: () => {}
    }
    const user = {
      id: 1,
      name: "ghost",
      nameBytes: Buffer.from("ghost"),
      permission: 0,
      publicKey: ids[0].key as never,
      msgBucket: new TokenBucket(1, 1, 0),
      offlineBucket: new TokenBucket(1, 1, 0)
    }
    const program = Effect.gen(function*() {
      const sessions = yield* Sessions
      const presence = yield* Presence
      const result = yield* Effect.either(sessions.login(endpoint, user))
      return { result, holder: presence.locate("ghost") }
    })
    const { result, holder } = await Effect.runPromise(program.pipe(
      Effect.provide(Sessions.Default.pipe(
        Layer.provideMerge(Layer.mergeAll(Presence.Memory, Verifications.Default, Tokens.Memory)),
        Layer.provideMerge(LocalEndpoints.Default),
        Layer.provide(Layer.succeed(ServerConfig, config))
      )),
      Effect.scoped
    ))
    expect(Either.isLeft(result) && result.left.code).toBe(ErrorCode.CONN)
    expect(holder).toBeUndefined()
    expect(endpoint.user).toBeUndefined()
  })
})

describe("Shutdown", () => {
  it("a shutdown scheduled beyond the longest timer (~24.8 days) still happens", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] })
    try {
      const days = 30
      const done = Effect.runPromise(Effect.gen(function*() {
        const shutdown = yield* Shutdown
        yield* shutdown.schedule(Date.now() + days * 86_400_000)
        yield* shutdown.stopped
        return Date.now()
      }).pipe(Effect.provide(Shutdown.Default), Effect.scoped, Effect.provide(Logger.remove(Logger.defaultLogger))))
      let finished = false
      void done.then(() => {
        finished = true
      })
      const start = Date.now()
      await vi.advanceTimersByTimeAsync((days - 1) * 86_400_000)
      expect(finished).toBe(false)
      await vi.advanceTimersByTimeAsync(86_400_000 + 1000)
      expect(finished).toBe(true)
      expect((await done) - start).toBeGreaterThanOrEqual(days * 86_400_000)
    } finally {
      vi.useRealTimers()
    }
  })
})
