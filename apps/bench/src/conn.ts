/**
 * A benchmark client connection: a raw node:net socket with Nagle off, the protocol's PacketFramer, and a
 * promise-based request/reply helper for the (slow, rare) setup steps. The hot paths of the scenarios set
 * `onPacket`/`afterChunk` and write pre-encoded frames with `write`.
 */
import * as net from "node:net"
import { Action, EMPTY_INFO, PacketFramer, encodePacket, type Packet } from "@gochat/protocol"

export interface Target {
  readonly host: string
  readonly port: number
}

export class ReplyTimeout extends Error {}
export class ConnectionClosed extends Error {}

const enc = new TextEncoder()
export const bytes = (s: string | Uint8Array): Uint8Array => (typeof s === "string" ? enc.encode(s) : s)
const dec = new TextDecoder()
export const text = (b: Uint8Array): string => dec.decode(b)

interface Waiter {
  readonly resolve: (p: Packet) => void
  readonly reject: (e: Error) => void
  readonly timer: NodeJS.Timeout
}

export class BenchConn {
  readonly socket: net.Socket
  readonly framer = new PacketFramer("client")
  /** Packets not claimed by a pending `request` (Null-ID packets, replies nobody waits for). */
  onPacket: (p: Packet) => void = () => {}
  /** Called after each received chunk has been fully dispatched (lets a scenario batch its writes). */
  afterChunk: (() => void) | undefined = undefined
  /** Set when the server closed the connection or it failed. */
  closedReason: string | undefined = undefined
  bytesIn = 0
  private readonly waiters = new Map<number, Waiter>()
  private nextId = Math.floor(Math.random() * 1022) + 1
  private readonly closeListeners: Array<() => void> = []
  readonly hello: Promise<Packet>

  private constructor(socket: net.Socket) {
    this.socket = socket
    let gotHello: (p: Packet) => void = () => {}
    let failHello: (e: Error) => void = () => {}
    this.hello = new Promise<Packet>((res, rej) => {
      gotHello = res
      failHello = rej
    })
    this.hello.catch(() => {})
    let helloSeen = false
    socket.on("data", (chunk: Buffer) => {
      this.bytesIn += chunk.length
      const packets = this.framer.push(chunk)
      for (let i = 0; i < packets.length; i++) {
        const p = packets[i]
        if (!helloSeen && p.action === Action.HELLO) {
          helloSeen = true
          gotHello(p)
          continue
        }
        if (this.waiters.size > 0 && p.id !== 0) {
          const w = this.waiters.get(p.id)
          if (w !== undefined) {
            this.waiters.delete(p.id)
            clearTimeout(w.timer)
            w.resolve(p)
            continue
          }
        }
        this.onPacket(p)
      }
      if (this.framer.error !== undefined) {
        this.fail(`protocol error from server: ${this.framer.error.message}`)
        socket.destroy()
      }
      if (this.afterChunk !== undefined) this.afterChunk()
    })
    const onEnd = (why: string) => {
      this.fail(why)
      failHello(new ConnectionClosed(why))
    }
    socket.on("error", (e) => onEnd(`socket error: ${e.message}`))
    socket.on("close", () => onEnd("closed"))
  }

  private fail(why: string) {
    if (this.closedReason === undefined) this.closedReason = why
    for (const [id, w] of this.waiters) {
      clearTimeout(w.timer)
      w.reject(new ConnectionClosed(`connection ${why} while waiting for reply ${id}`))
    }
    this.waiters.clear()
    for (const l of this.closeListeners.splice(0)) l()
  }

  /** Resolves once the connection is closed (immediately if it already is). */
  whenClosed(): Promise<void> {
    if (this.closedReason !== undefined) return Promise.resolve()
    return new Promise((res) => this.closeListeners.push(res))
  }

  static connect(target: Target, opts: { helloTimeoutMs?: number } = {}): Promise<BenchConn> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port, noDelay: true })
      const conn = new BenchConn(socket)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new ReplyTimeout(`no HELLO from ${target.host}:${target.port} within ${opts.helloTimeoutMs ?? 20_000} ms`))
      }, opts.helloTimeoutMs ?? 20_000)
      conn.hello.then(
        () => {
          clearTimeout(timer)
          resolve(conn)
        },
        (e) => {
          clearTimeout(timer)
          reject(e)
        }
      )
    })
  }

  /** A fresh request ID in 1..1022, cycling like the original client. */
  id(): number {
    const id = this.nextId
    this.nextId = this.nextId >= 1022 ? 1 : this.nextId + 1
    return id
  }

  write(frame: Uint8Array): void {
    this.socket.write(frame)
  }

  /** Sends a packet and resolves with the first packet carrying its ID. */
  request(action: number, args: ReadonlyArray<string | Uint8Array>, opts: { info?: number; timeoutMs?: number; id?: number } = {}): Promise<Packet> {
    const id = opts.id ?? this.id()
    return new Promise((resolve, reject) => {
      if (this.closedReason !== undefined) return reject(new ConnectionClosed(`connection ${this.closedReason}`))
      const timeoutMs = opts.timeoutMs ?? 30_000
      const timer = setTimeout(() => {
        this.waiters.delete(id)
        reject(new ReplyTimeout(`no reply to ${action} (id ${id}) within ${timeoutMs} ms`))
      }, timeoutMs)
      this.waiters.set(id, { resolve, reject, timer })
      this.socket.write(encodePacket({ action, info: opts.info ?? EMPTY_INFO, id, args: args.map(bytes) }))
    })
  }

  close(): void {
    this.socket.destroy()
  }
}
