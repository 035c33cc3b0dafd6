/**
 * Connection handling over real sockets: malformed input (sections 2.2 and 7.1), deadlines, the waiting
 * queue, the TLS listener and reusable tokens; against SQLite and MariaDB.
 */
import { Action, EMPTY_INFO, encodeHeader, ErrorCode, HookType, NULL_ID, UsrsType } from "@gochat/protocol"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { TestClient, text } from "./support/client.js"
import { backends, freshIdentities, type Identity, start, testCertificate } from "./support/fixtures.js"

/** A frame with an arbitrary header (version, action, info, args, len, id) and raw payload. */
const rawFrame = (
  h: { version?: number; action: number; info?: number; args: number; len?: number; id?: number },
  payload: Uint8Array | string = new Uint8Array()
): Buffer => {
  const body = typeof payload === "string" ? Buffer.from(payload, "latin1") : Buffer.from(payload)
  const out = Buffer.alloc(10 + body.length)
  encodeHeader({
    version: h.version ?? 1,
    action: h.action,
    info: h.info ?? EMPTY_INFO,
    args: h.args,
    len: h.len ?? body.length,
    id: h.id ?? 7
  }, out, 0)
  out[8] = 0x0d
  out[9] = 0x0a
  body.copy(out, 10)
  return out
}

const malformed: ReadonlyArray<{ readonly name: string; readonly frame: Buffer; readonly code: number }> = [
  { name: "version 2", frame: rawFrame({ version: 2, action: Action.KEEP, args: 0 }), code: ErrorCode.VERSION },
  { name: "action 0", frame: rawFrame({ action: 0, args: 0 }), code: ErrorCode.HEADER },
  { name: "unknown action", frame: rawFrame({ action: 0x3f, args: 0 }), code: ErrorCode.HEADER },
  { name: "Null ID", frame: rawFrame({ action: Action.KEEP, args: 0, id: 0 }), code: ErrorCode.HEADER },
  { name: "USRS with Info 0xFF", frame: rawFrame({ action: Action.USRS, args: 0 }), code: ErrorCode.HEADER },
  { name: "ADMIN with Info 0xFF", frame: rawFrame({ action: Action.ADMIN, args: 0 }), code: ErrorCode.HEADER },
  { name: "SUB with Info 0xFF", frame: rawFrame({ action: Action.SUB, args: 0 }), code: ErrorCode.HEADER },
  { name: "UNSUB with Info 0xFF", frame: rawFrame({ action: Action.UNSUB, args: 0 }), code: ErrorCode.HEADER },
  { name: "ERR with Info 0xFF", frame: rawFrame({ action: Action.ERR, args: 0 }), code: ErrorCode.HEADER },
  { name: "REG with one argument", frame: rawFrame({ action: Action.REG, args: 1 }, "alice\r\n"), code: ErrorCode.HEADER },
  { name: "MSG with two arguments", frame: rawFrame({ action: Action.MSG, args: 2 }, "a\r\nb\r\n"), code: ErrorCode.HEADER },
  {
    name: "argument over 2045 bytes",
    frame: rawFrame({ action: Action.REQ, args: 1 }, "a".repeat(2046) + "\r\n"),
    code: ErrorCode.MAXSIZE
  },
  { name: "argument containing CRLF", frame: rawFrame({ action: Action.REQ, args: 1 }, "a\r\nb\r\n"), code: ErrorCode.MAXSIZE },
  { name: "fewer pieces than Args (crashed the original)", frame: rawFrame({ action: Action.REG, args: 3 }, "a\r\n"), code: ErrorCode.ARGS },
  { name: "Args > 0 with Len 0 (crashed the original)", frame: rawFrame({ action: Action.LOGIN, args: 1, len: 0 }), code: ErrorCode.MAXSIZE },
  { name: "Args 0 with Len > 0 (desynced the original)", frame: rawFrame({ action: Action.KEEP, args: 0 }, "xx\r\n"), code: ErrorCode.MAXSIZE },
  { name: "payload not ending in CRLF", frame: rawFrame({ action: Action.REQ, args: 1 }, "abcdef"), code: ErrorCode.MAXSIZE }
]

describe.each(backends)("connections on $name", (backend) => {
  let server: RunningServer
  let ids: Array<Identity>
  const clients: Array<TestClient> = []
  const open = async (port = server.port, tls = false) => {
    const c = await TestClient.open(port, { tls })
    clients.push(c)
    return c
  }
  const session = async (name: string, id: Identity, options: { port?: number; tls?: boolean } = {}) => {
    const c = await open(options.port ?? server.port, options.tls ?? false)
    const reg = await c.register(name, id.pem)
    if (reg.action !== Action.OK && reg.info !== ErrorCode.EXISTS) throw new Error("REG failed")
    const login = await c.login(name, id.key)
    if (login.reply.action !== Action.OK) throw new Error(`login failed ${login.reply.info}`)
    return { c, token: login.token }
  }

  beforeAll(async () => {
    ids = await freshIdentities(4)
    server = await start(backend.fresh(), {
      tls: { ...testCertificate() },
      timeouts: { idleMs: 1_500, headerMs: 800, tokenMs: 1_500 }
    })
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await server?.close()
  })

  it("answers every malformed frame with ERR (Null ID) and closes; other users never notice", async () => {
    const { c: bystander } = await session("watcher", ids[0])
    for (const { name, frame, code } of malformed) {
      const c = await open()
      c.sendRaw(frame)
      const err = await c.next().catch((e) => {
        throw new Error(`${name}: ${(e as Error).message}`)
      })
      expect({ name, action: err.action, id: err.id, info: err.info }).toEqual({
        name,
        action: Action.ERR,
        id: NULL_ID,
        info: code
      })
      await c.waitClosed()
      const list = await bystander.request(Action.USRS, [], UsrsType.ONLINE)
      expect(text(list.args[0])).toBe("watcher")
    }
  })

  it("handles packets before a malformed one, and frames split into single bytes", async () => {
    const c = await open()
    const good = rawFrame({ action: Action.REQ, args: 1, id: 33 }, "bob\r\n")
    const all = Buffer.concat([good, rawFrame({ version: 3, action: Action.KEEP, args: 0 })])
    for (const byte of all) c.sendRaw(Uint8Array.of(byte))
    const first = await c.next()
    expect({ action: first.action, id: first.id, info: first.info }).toEqual({
      action: Action.ERR,
      id: 33,
      info: ErrorCode.NOSESS
    })
    const second = await c.next()
    expect({ id: second.id, info: second.info }).toEqual({ id: NULL_ID, info: ErrorCode.VERSION })
    await c.waitClosed()
  })

  it("idle deadline: KEEP resets it; silence ends with ERR_IDLE (Null ID)", async () => {
    const c = await open()
    // KEEP every 300 ms for 3 s, twice the 1.5 s deadline
    const started = Date.now()
    let lastKeep = started
    while (Date.now() - started < 3_000) {
      c.send(Action.KEEP)
      lastKeep = Date.now()
      await new Promise((r) => setTimeout(r, 300))
      expect(c.closed).toBe(false)
    }
    const err = await c.next(3_000)
    expect({ action: err.action, id: err.id, info: err.info }).toEqual({ action: Action.ERR, id: NULL_ID, info: ErrorCode.IDLE })
    expect(Date.now() - lastKeep).toBeGreaterThanOrEqual(1_450)
    await c.waitClosed()
  })

  it("incomplete-frame deadline: a half-sent frame does not hold the slot", async () => {
    const c = await open()
    c.sendRaw(rawFrame({ action: Action.REQ, args: 1 }, "bob\r\n").subarray(0, 12))
    const err = await c.next(3_000)
    expect({ id: err.id, info: err.info }).toEqual({ id: NULL_ID, info: ErrorCode.IDLE })
    await c.waitClosed()
  })

  it("TLS listener: HELLO, login, token login (TLS only), token dropped on kick-like ends", async () => {
    expect(server.tlsPort).toBeGreaterThan(0)
    const { c, token } = await session("tina", ids[1], { port: server.tlsPort!, tls: true })
    expect(token).toHaveLength(128)
    // the token is bound to its session while it lasts
    const other = await open(server.tlsPort!, true)
    expect((await other.request(Action.LOGIN, ["tina", token])).info).toBe(ErrorCode.DUPSESS)
    expect((await c.request(Action.LOGOUT)).action).toBe(Action.OK)
    // over plain TCP: refused
    const plain = await open()
    expect((await plain.request(Action.LOGIN, ["tina", token])).info).toBe(ErrorCode.NOSECURE)
    // wrong token
    expect((await other.request(Action.LOGIN, ["tina", "x".repeat(128)])).info).toBe(ErrorCode.HANDSHAKE)
    // right token over TLS, reusable after another logout
    const ok = await other.request(Action.LOGIN, ["tina", token])
    expect(ok.action).toBe(Action.OK)
    expect((await other.request(Action.LOGOUT)).action).toBe(Action.OK)
    expect((await c.request(Action.LOGIN, ["TINA", token])).action).toBe(Action.OK)
    expect((await c.request(Action.DEREG)).action).toBe(Action.OK)
    // deregistration drops it (and the account)
    expect((await other.request(Action.LOGIN, ["tina", token])).info).toBe(ErrorCode.DEREG)
  })

  it("a token expires tokenMs after its session ended and is never renewed", async () => {
    const { c, token } = await session("uma", ids[2], { port: server.tlsPort!, tls: true })
    c.close()
    const ended = Date.now()
    const d = await open(server.tlsPort!, true)
    // wait for the server to see the close: the token is in-use until then
    let reply = await d.request(Action.LOGIN, ["uma", token])
    while (reply.info === ErrorCode.INVALID || reply.info === ErrorCode.DUPSESS) {
      if (Date.now() - ended > 3_000) throw new Error("session never ended")
      reply = await d.request(Action.LOGIN, ["uma", token])
    }
    expect(reply.action).toBe(Action.OK)
    expect((await d.request(Action.LOGOUT)).action).toBe(Action.OK)
    // the token session's end did not renew it: it dies 1.5 s after the first session ended
    const deadline = ended + 1_500
    while (Date.now() < deadline + 600) {
      d.send(Action.KEEP)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect((await d.request(Action.LOGIN, ["uma", token])).info).toBe(ErrorCode.NOTFOUND)
  })

  it("HOOK_DUPSESS reports the IP to the session holder only if subscribed", async () => {
    const { c } = await session("vic", ids[3])
    const intruder = await open()
    expect((await intruder.request(Action.LOGIN, ["vic"])).info).toBe(ErrorCode.DUPSESS)
    expect((await c.request(Action.SUB, [], HookType.DUPSESS)).action).toBe(Action.OK)
    // everything before this reply was delivered: no hook arrived while unsubscribed
    expect(c.pending().filter((p) => p.action === Action.HOOK)).toEqual([])
    expect((await intruder.request(Action.LOGIN, ["vic"])).info).toBe(ErrorCode.DUPSESS)
    const hook = await c.waitFor((p) => p.action === Action.HOOK)
    expect(hook.info).toBe(HookType.DUPSESS)
  })
})

describe("waiting queue", () => {
  let server: RunningServer
  const clients: Array<TestClient> = []
  afterEach(() => {
    for (const c of clients.splice(0)) c.close()
  })
  beforeAll(async () => {
    server = await start(backends[0].fresh(), { maxClients: 2 })
  })
  afterAll(() => server?.close())

  it("holds connections beyond max_clients in FIFO order and sends HELLO when a slot frees", async () => {
    const first = await TestClient.open(server.port)
    const second = await TestClient.open(server.port)
    clients.push(first, second)
    const third = await TestClient.connect(server.port)
    const fourth = await TestClient.connect(server.port)
    clients.push(third, fourth)
    // both are connected but get nothing while the server is full: prove it with a round trip on a served one
    expect((await first.request(Action.RECIV)).info).toBe(ErrorCode.NOSESS)
    expect(third.pending()).toHaveLength(0)
    expect(fourth.pending()).toHaveLength(0)
    first.close()
    const hello = await third.next()
    expect(hello.action).toBe(Action.HELLO)
    expect((await third.request(Action.RECIV)).info).toBe(ErrorCode.NOSESS)
    expect(fourth.pending()).toHaveLength(0)
    second.close()
    expect((await fourth.next()).action).toBe(Action.HELLO)
  })

  it("a waiting client that leaves does not take a slot", async () => {
    const a = await TestClient.open(server.port)
    const b = await TestClient.open(server.port)
    const leaver = await TestClient.connect(server.port)
    const stayer = await TestClient.connect(server.port)
    clients.push(a, b, leaver, stayer)
    leaver.close()
    a.close()
    // whether the server sees the leaver's close before or after a's, the freed slot ends with stayer
    expect((await stayer.next()).action).toBe(Action.HELLO)
  })
})

describe("slow readers and handshakes", () => {
  let server: RunningServer
  let ids: Array<Identity>
  const clients: Array<TestClient> = []
  beforeAll(async () => {
    ids = await freshIdentities(3)
    server = await start(backends[0].fresh(), {
      tls: testCertificate(),
      maxOutboundBytes: 256 * 1024,
      timeouts: { writeMs: 500, handshakeMs: 500 }
    })
  })
  afterAll(async () => {
    for (const c of clients) c.close()
    await server?.close()
  })

  it("a client that stops reading is disconnected; senders and others are never blocked", async () => {
    const login = async (name: string, id: Identity) => {
      const c = await TestClient.open(server.port)
      clients.push(c)
      expect((await c.register(name, id.pem)).action).toBe(Action.OK)
      expect((await c.login(name, id.key)).reply.action).toBe(Action.OK)
      return c
    }
    const sender = await login("sender", ids[0])
    const stuck = await login("stuck", ids[1])
    const other = await login("other", ids[2])
    stuck.socket.pause()
    const payload = Buffer.alloc(2000, 0x61)
    const stamp = Buffer.from([0xf8, 0xbf, 0x99, 0x89, 0x0d])
    // far more than the 256 KiB queue plus the kernel buffers
    let lastId = 0
    for (let i = 0; i < 2_000; i++) lastId = sender.send(Action.MSG, ["stuck", stamp, payload])
    // every MSG got an answer (OK while stuck was online, ERR_NOTFOUND-free offline store after)
    const last = await sender.reply(lastId, 20_000)
    expect(last.action).toBe(Action.OK)
    // meanwhile the server still serves others at once
    expect((await other.msg("sender", Uint8Array.of(1))).action).toBe(Action.OK)
    // the stuck client was dropped: it is no longer online
    const online = text((await other.request(Action.USRS, [], UsrsType.ONLINE)).args[0]).split("\n")
    expect(online).not.toContain("stuck")
    stuck.socket.resume()
    await stuck.waitClosed(10_000)
  })

  it("a TLS client that never completes the handshake is dropped after the handshake deadline", async () => {
    const net = await import("node:net")
    const socket = net.connect({ port: server.tlsPort!, host: "127.0.0.1" })
    const started = Date.now()
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("still connected")), 5_000)
      socket.on("error", () => {})
      socket.once("close", () => {
        clearTimeout(t)
        resolve()
      })
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(400)
  })
})
