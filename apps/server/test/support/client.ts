/**
 * A raw gochat test client over a real TCP or TLS socket: sends frames, and awaits the server's packets
 * (framed by the protocol library's client-side framer). Every wait has a deadline and fails with what
 * was received instead.
 */
import * as net from "node:net"
import * as tls from "node:tls"
import {
  Action,
  actionName,
  EMPTY_INFO,
  encodePacket,
  encodeStamp,
  ErrorCode,
  errorName,
  type Packet,
  PacketFramer
} from "@gochat/protocol"
import { decrypt, type RsaPrivateKey } from "@gochat/crypto"
import { Either } from "effect"

export const WAIT_MS = 5_000

export interface Received extends Packet {
  readonly raw: Uint8Array
}

export const text = (b: Uint8Array): string => Buffer.from(b).toString("utf8")
export const bytes = (s: string): Uint8Array => Buffer.from(s, "utf8")

export const describe = (p: Packet): string =>
  p.action === Action.ERR
    ? `ERR ${errorName(p.info)} id=${p.id}`
    : `${actionName(p.action)} info=${p.info} id=${p.id} args=${p.args.length}`

export class TestClient {
  private readonly framer = new PacketFramer("client")
  private readonly queue: Array<Received> = []
  private waiters: Array<() => void> = []
  private nextId = 1
  closed = false
  private closeWaiters: Array<() => void> = []

  private constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const p of this.framer.push(chunk)) {
        this.queue.push({ ...p, args: p.args.map((a) => Uint8Array.prototype.slice.call(a)), raw: new Uint8Array() })
      }
      this.wake()
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      this.closed = true
      this.wake()
      for (const w of this.closeWaiters.splice(0)) w()
    })
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w()
  }

  /** `localAddress`: the client's own address (e.g. 127.0.0.2, to be another machine on loopback). */
  static connect(port: number, options: { tls?: boolean; host?: string; localAddress?: string } = {}): Promise<TestClient> {
    const host = options.host ?? "127.0.0.1"
    const local = options.localAddress === undefined ? {} : { localAddress: options.localAddress }
    return new Promise((resolve, reject) => {
      const socket: net.Socket = options.tls
        ? tls.connect({ port, host, rejectUnauthorized: false, ...local }, () => resolve(new TestClient(socket)))
        : net.connect({ port, host, ...local }, () => resolve(new TestClient(socket)))
      socket.once("error", reject)
      socket.setNoDelay(true)
    })
  }

  /** Connects and consumes the HELLO; returns the client and the MOTD. */
  static async open(port: number, options: { tls?: boolean; localAddress?: string } = {}): Promise<TestClient> {
    const c = await TestClient.connect(port, options)
    const hello = await c.next()
    if (hello.action !== Action.HELLO) throw new Error(`expected HELLO, got ${describe(hello)}`)
    c.motd = text(hello.args[0])
    return c
  }

  motd = ""

  /** set if the server ever sent bytes that are not a valid server frame */
  get framingError(): string | undefined {
    return this.framer.error?.message
  }

  id(): number {
    const id = this.nextId
    this.nextId = this.nextId >= 1022 ? 1 : this.nextId + 1
    return id
  }

  sendRaw(frame: Uint8Array): void {
    this.socket.write(frame)
  }

  send(action: number, args: ReadonlyArray<Uint8Array | string> = [], options: { info?: number; id?: number } = {}): number {
    const id = options.id ?? this.id()
    this.sendRaw(encodePacket({
      action,
      info: options.info ?? EMPTY_INFO,
      id,
      args: args.map((a) => (typeof a === "string" ? bytes(a) : a))
    }))
    return id
  }

  /** The next packet (in arrival order). */
  async next(timeoutMs = WAIT_MS): Promise<Received> {
    const deadline = Date.now() + timeoutMs
    while (this.queue.length === 0) {
      if (this.closed) throw new Error("connection closed while waiting for a packet")
      const left = deadline - Date.now()
      if (left <= 0) throw new Error("timed out waiting for a packet")
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
    return this.queue.shift()!
  }

  /** The next packet matching `pred`; packets before it stay queued. */
  async waitFor(pred: (p: Received) => boolean, timeoutMs = WAIT_MS): Promise<Received> {
    const deadline = Date.now() + timeoutMs
    while (true) {
      const i = this.queue.findIndex(pred)
      if (i >= 0) return this.queue.splice(i, 1)[0]
      if (this.closed) throw new Error(`connection closed; queued: ${this.queue.map(describe).join(", ")}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out; queued: ${this.queue.map(describe).join(", ")}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left)
        this.waiters.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  /** The reply with this request ID. */
  reply(id: number, timeoutMs = WAIT_MS): Promise<Received> {
    return this.waitFor((p) => p.id === id, timeoutMs)
  }

  /** Sends a request and awaits its reply. */
  async request(action: number, args: ReadonlyArray<Uint8Array | string> = [], info?: number): Promise<Received> {
    const id = this.send(action, args, info === undefined ? {} : { info })
    return this.reply(id)
  }

  /** Packets already received and not consumed. */
  pending(): ReadonlyArray<Received> {
    return this.queue
  }

  /** Resolves when the server closed the connection. */
  waitClosed(timeoutMs = WAIT_MS): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error("connection still open")), timeoutMs)
      this.closeWaiters.push(() => {
        clearTimeout(t)
        resolve()
      })
    })
  }

  close(): void {
    this.socket.destroy()
  }

  // ------------------------------------------------------------------------------------------
  // Protocol steps

  async register(name: string, pem: string): Promise<Received> {
    return this.request(Action.REG, [name, pem])
  }

  /** LOGIN + VERIF with the private key; returns the final reply and the challenge text (the TLS token). */
  async login(name: string, key: RsaPrivateKey): Promise<{ reply: Received; token: string }> {
    const challenge = await this.request(Action.LOGIN, [name])
    if (challenge.action !== Action.VERIF) return { reply: challenge, token: "" }
    const plain = Either.getOrThrow(decrypt(key, challenge.args[0]))
    const reply = await this.request(Action.VERIF, [name, plain])
    return { reply, token: Buffer.from(plain).toString("latin1") }
  }

  async msg(dest: string, ciphertext: Uint8Array, unixSeconds = Math.floor(Date.now() / 1000)): Promise<Received> {
    return this.request(Action.MSG, [dest, encodeStamp(unixSeconds), ciphertext])
  }
}

/**
 * A catch-up: RECIV, then every RECIV frame until a second RECIV answers ERR_EMPTY (a first ERR_EMPTY: none
 * stored); returns the stored messages in the order they came. Fails on anything else.
 */
export const catchUpAll = async (c: TestClient, timeoutMs = 30_000): Promise<Array<Received>> => {
  const first = c.send(Action.RECIV)
  const got: Array<Received> = []
  let second = -1
  while (true) {
    const p = await c.next(timeoutMs)
    if (p.id === first) {
      if (p.action === Action.ERR && p.info === ErrorCode.EMPTY) return []
      if (p.action !== Action.OK) throw new Error(`catch-up: RECIV answered ${describe(p)}`)
      second = c.send(Action.RECIV)
      continue
    }
    if (p.id === second && second >= 0) {
      if (p.action !== Action.ERR || p.info !== ErrorCode.EMPTY) throw new Error(`catch-up: second RECIV answered ${describe(p)}`)
      return got
    }
    if (p.action !== Action.RECIV) throw new Error(`catch-up: unexpected ${describe(p)}`)
    got.push(p)
  }
}

export const isOk = (p: Packet) => p.action === Action.OK
export const isErr = (code: number) => (p: Packet) => p.action === Action.ERR && p.info === code

/** What went wrong in a reply, for failure messages: the ERR code's name, or the action. */
const replyName = (p: Packet): string => (p.action === Action.ERR ? `ERR 0x${p.info.toString(16)}` : `action 0x${p.action.toString(16)}`)

/**
 * The clients of one test file against one server: `open` a connection (after HELLO; over TLS when the
 * server has a TLS listener), `login` a registered user, `session` a new user registered and logged in,
 * `closeAll` at the end.
 */
export class ClientPool {
  private readonly clients: Array<TestClient> = []
  constructor(private readonly port: () => number, private readonly tlsPort: () => number | undefined = () => undefined) {}

  async open(tls = false): Promise<TestClient> {
    const port = tls ? this.tlsPort() : this.port()
    if (port === undefined) throw new Error("the server has no TLS listener")
    const c = await TestClient.open(port, { tls })
    this.clients.push(c)
    return c
  }

  /** A connection logged in as an already registered user. */
  async login(name: string, identity: { readonly key: RsaPrivateKey }, tls = false): Promise<TestClient> {
    const c = await this.open(tls)
    const { reply } = await c.login(name, identity.key)
    if (reply.action !== Action.OK) throw new Error(`LOGIN ${name} failed: ${replyName(reply)}`)
    return c
  }

  /** Keeps a client opened elsewhere (e.g. with TestClient.connect) to close it with the others. */
  adopt(c: TestClient): TestClient {
    this.clients.push(c)
    return c
  }

  async session(name: string, identity: { readonly pem: string; readonly key: RsaPrivateKey }): Promise<TestClient> {
    const c = await this.open()
    const reg = await c.register(name, identity.pem)
    if (reg.action !== Action.OK) throw new Error(`REG ${name} failed: ${replyName(reg)}`)
    const { reply } = await c.login(name, identity.key)
    if (reply.action !== Action.OK) throw new Error(`LOGIN ${name} failed: ${replyName(reply)}`)
    return c
  }

  closeAll(): void {
    for (const c of this.clients.splice(0)) c.close()
  }
}
