/**
 * The abuse limits (config/Limits.ts, docs/IMPLEMENTATION.md "Security"), each attacked for real over
 * real sockets: crafted keys at REG, one address holding the slots, connections that never log in,
 * stalled TLS handshakes, ...
 */
import * as net from "node:net"
import { Action, ErrorCode } from "@gochat/protocol"
import { publicKeyOf, publicKeyToPem } from "@gochat/crypto"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { exponentOfBits, withExponent } from "../../../test-support/keys.js"
import { type RunningServer, startServer } from "../src/index.js"
import { ClientPool, TestClient } from "./support/client.js"
import { backends, freshIdentities, goldenKey, type Identity, start, testCertificate, testTimeouts } from "./support/fixtures.js"

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

let ids: Array<Identity>
beforeAll(async () => {
  ids = await freshIdentities(4)
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
