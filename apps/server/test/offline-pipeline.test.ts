/**
 * Pipelined offline stores (group commit per event-loop turn, replies kept in request order per
 * connection) and the catch-up, against SQLite and MariaDB:
 * - replies come in request order when pipelined offline MSGs, online MSGs and slow requests are mixed;
 * - a failing commit gives ERR_SERVER to exactly the messages of that batch; every OK'd message is
 *   delivered, no refused one is;
 * - a malformed frame after pipelined MSGs: their OKs first, then ERR (Null ID) and the close;
 * - a window of pipelined MSGs shares a few commits;
 * - a catch-up of several pages and write chunks, or beyond one DELETE batch, is complete, in order, and
 *   deleted (then ERR_EMPTY).
 */
import { Action, EMPTY_INFO, encodeHeader, encodePacket, encodeStamp, ErrorCode, NULL_ID } from "@gochat/protocol"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { catchUpAll, ClientPool, describe as show, TestClient } from "./support/client.js"
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { databaseLayer } from "../src/storage/Database.js"
import { backends, execSql, freshIdentities, type Identity, start } from "./support/fixtures.js"

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(13)
})

const body = (tag: string, n: number, size = 16): Buffer => {
  const b = Buffer.alloc(Math.max(size, 12), 0x61)
  b.write(`${tag}:${n}:`, 0, "latin1")
  return b
}
const bodyTag = (ciphertext: Uint8Array): string => {
  const s = Buffer.from(ciphertext).toString("latin1")
  const parts = s.split(":")
  return `${parts[0]}:${parts[1]}`
}

/** The stored messages' body tags, in the order the catch-up delivered them. */
const catchUp = async (c: TestClient): Promise<Array<string>> => (await catchUpAll(c)).map((r) => bodyTag(r.args[2]))

describe.each(backends)("offline pipeline on $name", (backend) => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  const open = () => pool.open()
  const session = (name: string, id: Identity) => pool.session(name, id)
  const registered = async (name: string, id: Identity) => {
    const c = await open()
    expect((await c.register(name, id.pem)).action).toBe(Action.OK)
    c.close()
  }
  const msgFrame = (c: TestClient, dest: string, ciphertext: Uint8Array, stamp = 1_700_000_000) =>
    c.send(Action.MSG, [dest, encodeStamp(stamp), ciphertext])
  /** Sends `n` messages to the offline `dest`, `window` at a time, each window's OKs awaited in order. */
  const storeAll = async (c: TestClient, dest: string, n: number, window: number, ciphertext: (i: number) => Uint8Array) => {
    for (let start = 0; start < n; start += window) {
      const sent: Array<number> = []
      for (let i = start; i < Math.min(n, start + window); i++) sent.push(msgFrame(c, dest, ciphertext(i)))
      for (const id of sent) {
        const p = await c.next(30_000)
        expect({ id: p.id, action: p.action }).toEqual({ id, action: Action.OK })
      }
    }
  }

  beforeAll(async () => {
    server = await start(backend.fresh())
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("replies come in request order: pipelined offline MSGs, online MSGs, REQ, errors", async () => {
    const a = await session("pipea", ids[0])
    const online = await session("pipeon", ids[1])
    await registered("pipeoff", ids[2])
    // all sent in one go, nothing awaited in between
    const expected: Array<{ id: number; what: string }> = []
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 40; i++) expected.push({ id: msgFrame(a, "pipeoff", body(`r${round}`, i)), what: "OK" })
      expected.push({ id: msgFrame(a, "pipeon", body("on", round)), what: "OK" })
      expected.push({ id: a.send(Action.REQ, ["pipeoff"]), what: "REQ" })
      expected.push({ id: msgFrame(a, "pipea", body("self", round)), what: `ERR ${ErrorCode.INVALID}` })
      expected.push({ id: msgFrame(a, "nosuchuser", body("x", round)), what: `ERR ${ErrorCode.NOTFOUND}` })
      expected.push({ id: msgFrame(a, "pipeoff", body("bad", round), 2 ** 52), what: `ERR ${ErrorCode.ARGS}` })
    }
    const got: Array<{ id: number; what: string }> = []
    while (got.length < expected.length) {
      const p = await a.next(30_000)
      got.push({ id: p.id, what: p.action === Action.ERR ? `ERR ${p.info}` : p.action === Action.OK ? "OK" : p.action === Action.REQ ? "REQ" : show(p) })
    }
    expect(got).toEqual(expected)
    for (let round = 0; round < 3; round++) {
      const p = await online.waitFor((r) => r.action === Action.RECIV)
      expect(bodyTag(p.args[2])).toBe(`on:${round}`)
    }
    const off = await open()
    expect((await off.login("pipeoff", ids[2].key)).reply.action).toBe(Action.OK)
    const delivered = await catchUp(off)
    const want: Array<string> = []
    for (let round = 0; round < 3; round++) for (let i = 0; i < 40; i++) want.push(`r${round}:${i}`)
    expect(delivered).toEqual(want)
  })

  it("a failed commit: ERR_SERVER for exactly that batch, every OK'd message delivered, no refused one", async () => {
    const a = await session("faila", ids[3])
    await registered("failb", ids[4])
    const poisonStamp = 1_234_567
    await execSql(
      server.settings,
      backend.name === "sqlite"
        ? `CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.stamp = ${poisonStamp} BEGIN SELECT RAISE(ABORT, 'poisoned'); END`
        : `CREATE TRIGGER poison BEFORE INSERT ON messages FOR EACH ROW BEGIN IF NEW.stamp = ${poisonStamp} THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned'; END IF; END`
    )
    try {
      const okd = new Set<string>()
      const refused = new Set<string>()
      let poisonReply = ""
      for (let w = 0; w < 3; w++) {
        const sent: Array<{ id: number; tag: string }> = []
        for (let i = 0; i < 30; i++) {
          const poisoned = w === 1 && i === 15
          sent.push({ id: msgFrame(a, "failb", body(`w${w}`, i), poisoned ? poisonStamp : 1_700_000_000), tag: `w${w}:${i}` })
        }
        for (const s of sent) {
          const p = await a.next(30_000)
          expect(p.id).toBe(s.id) // in request order
          if (p.action === Action.OK) okd.add(s.tag)
          else {
            expect(p.action === Action.ERR && p.info === ErrorCode.SERVER).toBe(true)
            refused.add(s.tag)
          }
          if (s.tag === "w1:15") poisonReply = p.action === Action.OK ? "OK" : `ERR ${p.info}`
        }
      }
      expect(poisonReply).toBe(`ERR ${ErrorCode.SERVER}`)
      // windows 0 and 2 were committed apart from the poisoned one (each window awaited)
      for (let i = 0; i < 30; i++) {
        expect(okd.has(`w0:${i}`)).toBe(true)
        expect(okd.has(`w2:${i}`)).toBe(true)
      }
      expect(okd.size + refused.size).toBe(90)
      const b = await open()
      expect((await b.login("failb", ids[4].key)).reply.action).toBe(Action.OK)
      const delivered = await catchUp(b)
      expect(new Set(delivered)).toEqual(okd)
      expect(delivered).toHaveLength(okd.size)
    } finally {
      await execSql(server.settings, "DROP TRIGGER poison")
    }
  })

  it("a malformed frame after pipelined MSGs: their OKs first, then ERR (Null ID), then the close", async () => {
    const a = await session("mala", ids[5])
    await registered("malb", ids[6])
    // warm the recipient's cache entry through the slow path first
    expect((await a.msg("malb", body("m", 0))).action).toBe(Action.OK)
    const sent: Array<number> = []
    for (let i = 1; i <= 20; i++) sent.push(msgFrame(a, "malb", body("m", i)))
    const bad = Buffer.alloc(10)
    encodeHeader({ version: 2, action: Action.KEEP, info: EMPTY_INFO, args: 0, len: 0, id: 7 }, bad, 0)
    bad[8] = 0x0d
    bad[9] = 0x0a
    a.sendRaw(bad)
    for (const id of sent) {
      const p = await a.next(30_000)
      expect(show(p)).toBe(show({ action: Action.OK, info: p.info, id, args: [] }))
    }
    const last = await a.next(30_000)
    expect({ action: last.action, info: last.info, id: last.id }).toEqual({ action: Action.ERR, info: ErrorCode.VERSION, id: NULL_ID })
    await a.waitClosed()
    const b = await open()
    expect((await b.login("malb", ids[6].key)).reply.action).toBe(Action.OK)
    expect(await catchUp(b)).toEqual(Array.from({ length: 21 }, (_, i) => `m:${i}`))
  })

  it("a window of pipelined MSGs shares a few commits (not one each)", async () => {
    const a = await session("groupa", ids[9])
    await registered("groupb", ids[10])
    expect((await a.msg("groupb", body("g", 0))).action).toBe(Action.OK) // fills the account cache
    const frames: Array<Uint8Array> = []
    const sent: Array<number> = []
    for (let i = 1; i <= 64; i++) {
      const id = a.id()
      sent.push(id)
      frames.push(encodePacket({ action: Action.MSG, info: EMPTY_INFO, id, args: [Buffer.from("groupb"), encodeStamp(1_700_000_000), body("g", i)] }))
    }
    a.sendRaw(Buffer.concat(frames)) // one write: the server reads it in one or a few chunks
    for (const id of sent) expect((await a.next(30_000)).id).toBe(id)
    // every row of one INSERT has the same created_at; one commit per message would give ~64 values
    const rows = await Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql<{ n: number | string }>`SELECT COUNT(DISTINCT m.created_at) AS n FROM messages m JOIN users u ON u.id = m.dst_user WHERE u.username = 'groupb'`
      ).pipe(Effect.provide(databaseLayer(server.settings.database)))
    )
    expect(Number(rows[0].n)).toBeGreaterThanOrEqual(1)
    expect(Number(rows[0].n)).toBeLessThan(16)
  })

  it("a mailbox beyond one DELETE batch (8192): complete, in order, all deleted", async () => {
    const a = await session("hugea", ids[11])
    await registered("hugeb", ids[12])
    const n = 8400
    await storeAll(a, "hugeb", n, 700, (i) => body("h", i))
    const b = await open()
    expect((await b.login("hugeb", ids[12].key)).reply.action).toBe(Action.OK)
    expect(await catchUp(b)).toEqual(Array.from({ length: n }, (_, i) => `h:${i}`))
  })

  it("catch-up over several pages and write chunks: complete, in order, deleted", async () => {
    const a = await session("biga", ids[7])
    await registered("bigb", ids[8])
    const n = 2500
    await storeAll(a, "bigb", n, 250, (i) => body("b", i, 1500))
    const b = await open()
    expect((await b.login("bigb", ids[8].key)).reply.action).toBe(Action.OK)
    expect(await catchUp(b)).toEqual(Array.from({ length: n }, (_, i) => `b:${i}`))
  })
})
