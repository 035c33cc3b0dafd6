/**
 * One client connection, as plain synchronous code: this is the relay hot path (STACK.md).
 *
 * - Reading: each chunk goes through a `PacketFramer`; every complete packet is dispatched in order. The
 *   host handles cheap packets synchronously (KEEP, MSG to an online user); anything else starts a slow
 *   operation (an Effect) and, until it completes, reading is paused and later packets wait in a backlog,
 *   so a connection's packets are always processed in order.
 * - Writing: frames are queued and flushed once per event-loop turn as one buffer (`setImmediate`). The
 *   queue is bounded (`maxOutboundBytes`, counting what the socket still holds) and a socket that accepts
 *   no data for `writeMs` is destroyed, so a client that stops reading never blocks anyone else.
 * - Deadlines: one watchdog timer per connection checks the idle deadline (reset by every received
 *   packet, KEEP included) and the incomplete-frame deadline; both end with ERR_IDLE (Null ID) and close.
 * - A malformed frame gets ERR(code, Null ID) after the packets before it were handled, then the close.
 */
import type * as net from "node:net"
import { Action, EMPTY_INFO, ErrorCode, NULL_ID, PacketFramer, type Packet, writePacket } from "@gochat/protocol"
import type { Endpoint, OnlineUser } from "../hubs/Presence.js"

export interface ConnectionLimits {
  readonly idleMs: number
  readonly headerMs: number
  readonly writeMs: number
  readonly maxOutboundBytes: number
}

export interface ConnectionHost {
  /** Handles a packet synchronously if it can (returns true); otherwise the slow path is used. */
  readonly hot: (conn: Connection, packet: Packet) => boolean
  /** Starts the slow handling of a packet; must call `done` exactly once when finished. */
  readonly slow: (conn: Connection, packet: Packet, done: () => void) => void
  /** Called once when the server starts closing the connection (its session should end now). */
  readonly closing: (conn: Connection) => void
  /** Called once, after the socket closed. */
  readonly closed: (conn: Connection) => void
  readonly debug: (conn: Connection, message: string) => void
}

const copyPacket = (p: Packet): Packet => ({
  action: p.action,
  info: p.info,
  id: p.id,
  args: p.args.map((a) => Uint8Array.prototype.slice.call(a))
})

/** A 10-byte ERR frame. */
export const errFrame = (id: number, code: number): Uint8Array => {
  const out = Buffer.allocUnsafe(10)
  writePacket({ action: Action.ERR, info: code, id, args: [] }, out, 0)
  return out
}

/** A 10-byte OK frame. */
export const okFrame = (id: number): Uint8Array => {
  const out = Buffer.allocUnsafe(10)
  writePacket({ action: Action.OK, info: EMPTY_INFO, id, args: [] }, out, 0)
  return out
}

export class Connection implements Endpoint {
  user: OnlineUser | undefined = undefined
  readonly hooks = new Set<number>()
  /** true once close() was called: nothing more is read or dispatched */
  closing = false
  /** true once the socket is gone */
  closed = false
  /** true once the socket was ended: nothing more can be queued */
  private ended = false
  /** true once stopReading() was called */
  private stopped = false

  private readonly framer = new PacketFramer("server")
  private out: Array<Uint8Array> = []
  private outBytes = 0
  private flushQueued = false
  private busy = false
  private pumping = false
  private readonly backlog: Array<Packet> = []
  private fatal: number | undefined = undefined
  private lastPacketAt = Date.now()
  private partialSince = 0
  private watchdog: NodeJS.Timeout | undefined = undefined
  private writeTimer: NodeJS.Timeout | undefined = undefined
  private endTimer: NodeJS.Timeout | undefined = undefined
  private readonly flushCallbacks: Array<(error?: Error) => void> = []

  constructor(
    readonly id: number,
    private readonly socket: net.Socket,
    readonly secure: boolean,
    readonly ip: string,
    private readonly host: ConnectionHost,
    private readonly limits: ConnectionLimits
  ) {}

  get accepting(): boolean {
    return !this.closing && !this.closed
  }

  /** Starts serving: sends HELLO first, then reads. */
  start(hello: Uint8Array): void {
    const socket = this.socket
    socket.on("data", this.onData)
    socket.on("drain", this.onDrain)
    socket.on("error", this.onError)
    socket.once("close", this.onClose)
    this.send(hello)
    this.lastPacketAt = Date.now()
    const period = Math.max(10, Math.floor(Math.min(this.limits.idleMs, this.limits.headerMs) / 4))
    this.watchdog = setInterval(this.onWatchdog, period)
    if (socket.destroyed) {
      this.onClose()
      return
    }
    socket.resume()
  }

  // ------------------------------------------------------------------------------------------
  // Output

  /** Queues a frame; flushed with everything else queued in this event-loop turn. */
  send(frame: Uint8Array): void {
    if (this.closed || this.ended) return
    this.out.push(frame)
    this.outBytes += frame.length
    if (this.outBytes + this.socket.writableLength > this.limits.maxOutboundBytes) {
      this.host.debug(this, "outbound queue full: disconnecting a client that does not read")
      this.destroy()
      return
    }
    if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(this.flush)
    }
  }

  /** Queues frames and calls `written` once they (and everything before them) were handed to the socket. */
  sendConfirmed(frames: ReadonlyArray<Uint8Array>, written: (error?: Error) => void): void {
    if (this.closed || this.ended || this.socket.destroyed) {
      written(new Error("connection closed"))
      return
    }
    for (const frame of frames) {
      this.out.push(frame)
      this.outBytes += frame.length
    }
    this.flushCallbacks.push(written)
    this.flush()
  }

  private readonly flush = (): void => {
    this.flushQueued = false
    const callbacks = this.flushCallbacks.length > 0 ? this.flushCallbacks.splice(0) : undefined
    if (this.socket.destroyed) {
      this.out = []
      this.outBytes = 0
      if (callbacks) for (const cb of callbacks) cb(new Error("connection closed"))
      return
    }
    if (this.out.length === 0) {
      if (callbacks) for (const cb of callbacks) cb()
      return
    }
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out, this.outBytes)
    this.out = []
    this.outBytes = 0
    const ok = callbacks
      ? this.socket.write(data, (error) => {
        for (const cb of callbacks) cb(error ?? undefined)
      })
      : this.socket.write(data)
    if (!ok && this.writeTimer === undefined) {
      this.writeTimer = setTimeout(this.onWriteDeadline, this.limits.writeMs)
    }
  }

  private readonly onDrain = (): void => {
    if (this.writeTimer !== undefined) {
      clearTimeout(this.writeTimer)
      this.writeTimer = undefined
    }
  }

  private readonly onWriteDeadline = (): void => {
    this.writeTimer = undefined
    this.host.debug(this, "write deadline passed: disconnecting a client that does not read")
    this.destroy()
  }

  // ------------------------------------------------------------------------------------------
  // Input

  private readonly onData = (chunk: Buffer): void => {
    if (this.closing || this.stopped) return
    const packets = this.framer.push(chunk)
    const now = Date.now()
    if (packets.length > 0) this.lastPacketAt = now
    this.partialSince = this.framer.buffered > 0 ? (this.partialSince || now) : 0
    for (let i = 0; i < packets.length; i++) {
      if (this.closing) return
      if (this.busy || this.backlog.length > 0) this.backlog.push(copyPacket(packets[i]))
      else this.dispatch(packets[i])
    }
    const error = this.framer.error
    if (error !== undefined) this.fatal = error.code
    if (this.busy) this.socket.pause()
    else if (this.fatal !== undefined) this.fail(this.fatal, "malformed packet")
  }

  private dispatch(packet: Packet): void {
    if (this.host.hot(this, packet)) return
    this.busy = true
    this.host.slow(this, copyPacket(packet), this.slowDone)
  }

  private readonly slowDone = (): void => {
    this.busy = false
    this.pump()
  }

  private pump(): void {
    if (this.pumping) return
    this.pumping = true
    try {
      while (!this.busy && !this.closing && !this.stopped && this.backlog.length > 0) this.dispatch(this.backlog.shift()!)
    } finally {
      this.pumping = false
    }
    if (this.busy || this.closing || this.stopped) return
    if (this.fatal !== undefined) this.fail(this.fatal, "malformed packet")
    else if (this.socket.isPaused()) this.socket.resume()
  }

  private readonly onWatchdog = (): void => {
    if (this.closing || this.stopped) return
    const now = Date.now()
    if (now - this.lastPacketAt >= this.limits.idleMs) {
      this.fail(ErrorCode.IDLE, "idle deadline passed")
    } else if (this.partialSince !== 0 && now - this.partialSince >= this.limits.headerMs && !this.busy) {
      this.fail(ErrorCode.IDLE, "incomplete frame deadline passed")
    }
  }

  // ------------------------------------------------------------------------------------------
  // Closing

  /** Stops reading and dispatching (graceful stop); replies of requests in flight are still sent. */
  stopReading(): void {
    this.stopped = true
    this.backlog.length = 0
    if (!this.socket.destroyed) this.socket.pause()
  }

  /** Sends ERR(code, Null ID) then closes. */
  fail(code: number, reason: string): void {
    this.close(reason, code)
  }

  /** Flushes what is queued (plus a final Null-ID ERR if given), then ends the connection. */
  close(reason: string, errorCode?: number): void {
    if (this.closing || this.closed) return
    this.closing = true
    this.host.debug(this, `closing: ${reason}`)
    this.host.closing(this)
    this.backlog.length = 0
    if (errorCode !== undefined) {
      this.out.push(errFrame(NULL_ID, errorCode))
      this.outBytes += 10
    }
    this.flush()
    this.ended = true
    this.socket.end()
    this.endTimer = setTimeout(() => this.destroy(), this.limits.writeMs)
  }

  /** Closes at once, dropping anything not yet written. */
  destroy(): void {
    this.closing = true
    this.socket.destroy()
  }

  private readonly onError = (error: Error): void => {
    this.host.debug(this, `socket error: ${error.message}`)
  }

  private readonly onClose = (): void => {
    if (this.closed) return
    this.closed = true
    this.closing = true
    this.backlog.length = 0
    this.out = []
    this.outBytes = 0
    if (this.watchdog !== undefined) clearInterval(this.watchdog)
    if (this.writeTimer !== undefined) clearTimeout(this.writeTimer)
    if (this.endTimer !== undefined) clearTimeout(this.endTimer)
    for (const cb of this.flushCallbacks.splice(0)) cb(new Error("connection closed"))
    this.host.closed(this)
  }
}
