/**
 * The abuse limits (config/Limits.ts, docs/IMPLEMENTATION.md "Security"), each attacked for real over
 * real sockets: crafted keys at REG, one address holding the slots, connections that never log in,
 * stalled TLS handshakes, relay floods, stored-message floods, ...
 */
import * as net from "node:net"
import { Action, encodeStamp, ErrorCode } from "@gochat/protocol"
import { publicKeyOf, publicKeyToPem } from "@gochat/crypto"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { exponentOfBits, withExponent } from "../../../test-support/keys.js"
import { type RunningServer, startServer } from "../src/index.js"
import { catchUpAll, ClientPool, type Received, TestClient } from "./support/client.js"
import { Effect } from "effect"
import { clearCache } from "../src/Operator.js"
import { storageLayer } from "../src/Server.js"
import {
  backends,
  freshIdentities,
  goldenKey,
  type Identity,
  start,
  storedCount,
  testCertificate,
  testTimeouts
} from "./support/fixtures.js"

const errCode = (p: { action: number; info: number }) => (p.action === Action.ERR ? p.info : -1)

/** Resolves when the socket closes; rejects after `ms` (the socket is still open then). */
const closedWithin = (socket: net.Socket, ms: number): Promise<void> =>
  new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve()
    const t = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)
    socket.once("close", () => {
      clearTimeout(t)
      resolve()
    })
  })

const rawConnect = (port: number, localAddress: string): Promise<net.Socket> =>
  new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1", localAddress }, () => resolve(socket))
    socket.on("error", reject)
  })

/** Pipelines `n` MSGs of `size` bytes (body: the message's number) to `dest`; their replies, in order. */
const flood = async (c: TestClient, dest: string, n: number, size = 64): Promise<Array<Received>> => {
  const stamp = encodeStamp(Math.floor(Date.now() / 1000))
  const sent = Array.from({ length: n }, (_, i) => {
    const body = Buffer.alloc(size, 0x61)
    body.write(`${i}:`, 0, "latin1")
    return c.send(Action.MSG, [dest, stamp, body])
  })
  const replies: Array<Received> = []
  for (const id of sent) replies.push(await c.reply(id, 10_000))
  return replies
}
const oks = (replies: ReadonlyArray<Received>) => replies.filter((r) => r.action === Action.OK).length
/** Registers a user and logs it out again (offline from the OK on). */
const registered = async (pool: ClientPool, name: string, id: Identity): Promise<void> => {
  const c = await pool.session(name, id)
  expect((await c.request(Action.LOGOUT)).action).toBe(Action.OK)
  c.close()
}
const numberOf = (r: Received) => Number(Buffer.from(r.args[2]).toString("latin1").split(":")[0])

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(6)
})

describe("crafted public keys at REG", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  beforeAll(async () => {
    // the default key sizes (4096 only), not the tests' widened ones
    server = await startServer({ db: backends[0].fresh(), timeouts: testTimeouts })
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("refuses a 3072-bit exponent and a 2048-bit key with ERR_ARGS; a real client's 4096-bit key is registered", async () => {
    const c = await pool.open()
    const alice = publicKeyOf(goldenKey("alice").key)
    const hugeExponent = publicKeyToPem(withExponent(alice, exponentOfBits(3072)))
    expect(errCode(await c.register("mallory", hugeExponent))).toBe(ErrorCode.ARGS)
    expect(errCode(await c.register("small", ids[0].pem))).toBe(ErrorCode.ARGS)
    expect(errCode(await c.register("three", publicKeyToPem(withExponent(alice, 3n))))).toBe(ErrorCode.ARGS)
    expect((await c.register("alice", goldenKey("alice").pem)).action).toBe(Action.OK)
  })

  it("key_bits widens the sizes but never the exponent", async () => {
    const wide = await start(backends[0].fresh())
    try {
      const c = await TestClient.open(wide.port)
      try {
        expect((await c.register("small", ids[0].pem)).action).toBe(Action.OK)
        const crafted = publicKeyToPem(withExponent(publicKeyOf(ids[1].key), exponentOfBits(1024)))
        expect(errCode(await c.register("crafted", crafted))).toBe(ErrorCode.ARGS)
      } finally {
        c.close()
      }
    } finally {
      await wide.close()
    }
  })
})

describe("connection slots", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port, () => server.tlsPort)
  const raws: Array<net.Socket> = []
  beforeAll(async () => {
    server = await start(backends[0].fresh(), {
      maxClients: 8,
      tls: testCertificate(),
      limits: { maxConnectionsPerAddress: 4, maxTlsHandshakes: 3 },
      timeouts: { handshakeMs: 10_000 }
    })
  })
  afterEach(() => {
    pool.closeAll()
    for (const s of raws.splice(0)) s.destroy()
  })
  afterAll(() => server?.close())

  it("one address holds at most its limit; a newcomer from another address gets HELLO at once while it floods", async () => {
    const held: Array<TestClient> = []
    for (let i = 0; i < 4; i++) held.push(pool.adopt(await TestClient.open(server.port)))
    // the flood: every further connection from 127.0.0.1 is closed without a HELLO (not queued)
    let flooding = true
    const flood = (async () => {
      let refused = 0
      while (flooding) {
        const c = pool.adopt(await TestClient.connect(server.port))
        await c.waitClosed()
        expect(c.pending()).toHaveLength(0)
        refused++
      }
      return refused
    })()
    const newcomer = pool.adopt(await TestClient.open(server.port, { localAddress: "127.0.0.2" }))
    expect(newcomer.motd.length).toBeGreaterThan(0)
    expect((await newcomer.request(Action.RECIV)).info).toBe(ErrorCode.NOSESS)
    flooding = false
    expect(await flood).toBeGreaterThan(0)
    // the held ones are still served
    expect((await held[0].request(Action.RECIV)).info).toBe(ErrorCode.NOSESS)
  })

  it("stalled TLS handshakes are bounded: beyond max_tls_handshakes a socket is closed at once", async () => {
    // (from an address of their own, so that the per-address limit is not what closes them)
    for (let i = 0; i < 3; i++) raws.push(await rawConnect(server.tlsPort!, "127.0.0.3"))
    const extra = await rawConnect(server.tlsPort!, "127.0.0.3")
    raws.push(extra)
    // far sooner than the 10 s handshake deadline
    await closedWithin(extra, 3_000)
    // a stalled one leaves: a real TLS client completes its handshake and gets HELLO
    const freed = raws[0]
    freed.destroy()
    await closedWithin(freed, 1_000)
    // (the server may see the new connection before the close: a few tries, bounded)
    let served: TestClient | undefined
    for (let i = 0; i < 20 && served === undefined; i++) {
      served = await TestClient.open(server.tlsPort!, { tls: true, localAddress: "127.0.0.4" }).catch(() => undefined)
    }
    pool.adopt(served!)
    expect((await served!.request(Action.RECIV)).info).toBe(ErrorCode.NOSESS)
  })
})

describe("login deadline", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  beforeAll(async () => {
    server = await start(backends[0].fresh(), { limits: { loginDeadlineMs: 1_500 } })
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("a connection that does not log in is closed at the login deadline although it sends KEEP; a session is not", async () => {
    const anonymous = pool.adopt(await TestClient.open(server.port))
    const session = await pool.session("keeper", ids[0])
    const keep = setInterval(() => {
      anonymous.send(Action.KEEP)
      session.send(Action.KEEP)
    }, 100)
    try {
      const err = await anonymous.waitFor((p) => p.action === Action.ERR, 5_000)
      expect(err.info).toBe(ErrorCode.IDLE)
      await anonymous.waitClosed()
      // the session started at the same time, so it is past the deadline too, and still served
      expect((await session.request(Action.RECIV)).info).toBe(ErrorCode.EMPTY)
    } finally {
      clearInterval(keep)
    }
  })
})

describe("relay flooding", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  beforeAll(async () => {
    server = await start(backends[0].fresh(), { limits: { msgBurst: 20, msgPerSecond: 1 } })
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("a sender beyond msg_burst gets ERR_PACKET (the connection stays); the recipient gets only what was OK'd; others still send", async () => {
    const bob = await pool.session("bob", ids[0])
    const mallory = await pool.session("mallory", ids[1])
    const carol = await pool.session("carol", ids[2])
    const replies = await flood(mallory, "bob", 300)
    const accepted = oks(replies)
    // the burst, plus at most a few tokens refilled (1 a second) while the flood was read
    expect(accepted).toBeGreaterThanOrEqual(20)
    expect(accepted).toBeLessThan(30)
    for (const r of replies.filter((r) => r.action !== Action.OK)) expect(errCode(r)).toBe(ErrorCode.PACKET)
    // the first ones were accepted: the bucket refuses the excess, not a random sample
    expect(replies.slice(0, 20).every((r) => r.action === Action.OK)).toBe(true)
    // another sender has a bucket of its own
    expect((await carol.msg("bob", Buffer.from("hello"))).action).toBe(Action.OK)
    const got: Array<Received> = []
    while (got.length < accepted + 1) got.push(await bob.waitFor((p) => p.action === Action.RECIV))
    expect(got.filter((p) => Buffer.from(p.args[0]).toString() === "mallory").map(numberOf))
      .toEqual(Array.from({ length: accepted }, (_, i) => i))
    // the flooder is still served (refused MSGs are not an error of the connection)
    expect((await mallory.request(Action.USRS, [], 1)).action).toBe(Action.USRS)
    expect(bob.pending()).toHaveLength(0)
  })
})

describe("stored-message flooding", () => {
  let server: RunningServer
  const pool = new ClientPool(() => server.port)
  beforeAll(async () => {
    server = await start(backends[0].fresh(), { limits: { offlineBurst: 10, offlinePerSecond: 1 } })
  })
  afterAll(async () => {
    pool.closeAll()
    await server?.close()
  })

  it("a sender beyond offline_burst to an offline user gets ERR_PACKET; exactly the OK'd ones are delivered", async () => {
    await registered(pool, "bob", ids[0])
    const mallory = await pool.session("mallory", ids[1])
    const replies = await flood(mallory, "bob", 100)
    const accepted = oks(replies)
    expect(accepted).toBeGreaterThanOrEqual(10)
    expect(accepted).toBeLessThan(15)
    for (const r of replies.filter((r) => r.action !== Action.OK)) expect(errCode(r)).toBe(ErrorCode.PACKET)
    const back = await pool.login("bob", ids[0])
    expect((await catchUpAll(back)).map(numberOf)).toEqual(Array.from({ length: accepted }, (_, i) => i))
  })
})

describe.each(backends)("mailbox bombing on $name", (backend) => {
  const pool = new ClientPool(() => server.port)
  let server: RunningServer
  afterEach(async () => {
    pool.closeAll()
    await server?.close()
  })
  const senderOf = (r: Received) => Buffer.from(r.args[0]).toString()

  it("mailbox_max_messages: the MSG beyond it gets ERR_PACKET, counted from the database after a restart; nothing stored is dropped", async () => {
    const db = backend.fresh()
    const limits = { mailboxMaxMessages: 30 }
    server = await start(db, { limits })
    await registered(pool, "bob", ids[0])
    const mallory = await pool.session("mallory", ids[1])
    const carol = await pool.session("carol", ids[2])
    expect(oks(await flood(mallory, "bob", 20))).toBe(20)
    const second = await flood(carol, "bob", 20)
    expect(second.map((r) => r.action === Action.OK)).toEqual(Array.from({ length: 20 }, (_, i) => i < 10))
    for (const r of second.slice(10)) expect(errCode(r)).toBe(ErrorCode.PACKET)
    // a new server on the same database counts the stored ones at start
    pool.closeAll()
    await server.close()
    server = await start(db, { limits })
    const again = await pool.login("mallory", ids[1])
    expect(errCode(await again.msg("bob", Buffer.from("one more")))).toBe(ErrorCode.PACKET)
    const bob = await pool.login("bob", ids[0])
    const got = await catchUpAll(bob)
    expect(got.map((r) => `${senderOf(r)}:${numberOf(r)}`)).toEqual([
      ...Array.from({ length: 20 }, (_, i) => `mallory:${i}`),
      ...Array.from({ length: 10 }, (_, i) => `carol:${i}`)
    ])
    expect((await bob.request(Action.LOGOUT)).action).toBe(Action.OK)
    // delivered: the mailbox has room again
    const after = await flood(again, "bob", 30)
    expect(oks(after)).toBe(30)
    expect(errCode(await again.msg("bob", Buffer.from("31st")))).toBe(ErrorCode.PACKET)
  })

  it("mailbox_max_bytes, and the operator's clearcache while the server runs makes room at once", async () => {
    server = await start(backend.fresh(), { limits: { mailboxMaxBytes: 5 * 1000 } })
    await registered(pool, "bob", ids[0])
    const mallory = await pool.session("mallory", ids[1])
    const replies = await flood(mallory, "bob", 8, 1000)
    expect(replies.map((r) => r.action === Action.OK)).toEqual([true, true, true, true, true, false, false, false])
    expect(errCode(replies[5])).toBe(ErrorCode.PACKET)
    await Effect.runPromise(clearCache("bob").pipe(Effect.provide(storageLayer(server.settings))))
    expect(await storedCount(server.settings, "bob")).toBe(0)
    expect(oks(await flood(mallory, "bob", 5, 1000))).toBe(5)
  })

  it("message_ttl_ms: stored messages older than it are deleted in the background", async () => {
    server = await start(backend.fresh(), { limits: { messageTtlMs: 300 } })
    await registered(pool, "bob", ids[0])
    const mallory = await pool.session("mallory", ids[1])
    expect(oks(await flood(mallory, "bob", 5))).toBe(5)
    // (waits for the deletion itself: the expiry runs every 300 ms here)
    const deadline = Date.now() + 10_000
    while (await storedCount(server.settings, "bob") > 0) {
      if (Date.now() > deadline) throw new Error("stored messages were not expired")
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const bob = await pool.login("bob", ids[0])
    expect(await catchUpAll(bob)).toEqual([])
  })
})
