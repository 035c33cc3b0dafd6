/**
 * One client connection, as plain synchronous code: this is the relay hot path (STACK.md).
 *
 * - Reading: each chunk goes through a `PacketFramer`; every complete packet is dispatched in order. The
 *   host handles cheap packets synchronously (KEEP, MSG to an online user); anything else starts a slow
 *   operation (an Effect) and, until it completes, reading is paused and later packets wait in a backlog,
 *   so a connection's packets are always processed in order. After a slow packet completes, the backlog is
 *   resumed from `setImmediate`, never straight from the completion (which may run in the middle of another
 *   connection's work, or chain a whole backlog into one microtask run that starves every other socket).
 * - Replies in request order, pipelined: a packet whose reply comes later without holding the connection (an
 *   offline MSG waiting for its group commit) reserves a slot with `reserveReply`; `reply` queues a reply
 *   behind pending slots (or sends it at once if there are none). A slow packet is dispatched only once no
 *   reply is pending, so its handler can `send` its reply directly. At most MAX_PENDING_REPLIES slots may be
 *   pending; beyond that reading pauses.
 * - Writing: frames are queued and flushed once per event-loop turn as one buffer (`setImmediate`). The
 *   queue is bounded (`maxOutboundBytes`, counting what the socket still holds) and a socket that accepts
 *   no data for `writeMs` is destroyed, so a client that stops reading never blocks anyone else.
 * - Deadlines: one watchdog timer per connection checks the idle deadline (reset by every received
 *   packet, KEEP included), the incomplete-frame deadline and the login deadline (a connection without a
 *   session for `loginDeadlineMs`, whatever it sends); all end with ERR_IDLE (Null ID) and close.
 * - A malformed frame gets ERR(code, Null ID) after the packets before it were handled, then the close.
 */
import type * as net from "node:net"
import { Action, EMPTY_INFO, ErrorCode, NULL_ID, PacketFramer, type Packet, writePacket } from "@gochat/protocol"
import type { LimitName } from "../config/Limits.js"
import type { Endpoint, OnlineUser } from "../hubs/LocalEndpoints.js"

export interface ConnectionLimits {
  readonly idleMs: number
  /** not logged in for this long (KEEP or not): ERR_IDLE and close (`login_deadline_ms`) */
  readonly loginDeadlineMs: number
  readonly headerMs: number
  readonly writeMs: number
  readonly maxOutboundBytes: number
}

export interface ConnectionHost {
  /** Handles a packet synchronously if it can (returns true); otherwise the slow path is used. */
  readonly hot: (conn: Connection, packet: Packet) => boolean
  /** Starts the slow handling of a packet; must call `conn.slowDone()` exactly once when finished. */
  readonly slow: (conn: Connection, packet: Packet) => void
  /** Called once when the server starts closing the connection (its session should end now). */
  readonly closing: (conn: Connection) => void
  /** Called once, after the socket closed. */
  readonly closed: (conn: Connection) => void
  readonly debug: (conn: Connection, message: string) => void
  /** a limit (config/Limits.ts) refused something of this connection (logged once in a while) */
  readonly limitReached: (conn: Connection, limit: LimitName) => void
}

/** Reserved replies a connection may have pending before it stops reading. */
export const MAX_PENDING_REPLIES = 1024

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

  /** made on the first bytes received: an idle connection that never sends anything holds none (~0.4 KB) */
  private framer: PacketFramer | undefined = undefined
  private out: Array<Uint8Array> = []
  private outBytes = 0
  private flushQueued = false
  private busy = false
  private pumping = false
  private pumpQueued = false
  /** a slow packet waiting for the pending replies before it is dispatched */
  private held: Packet | undefined = undefined
  /** reading stopped because MAX_PENDING_REPLIES replies are pending */
  private throttled = false
  /** replies in request order: undefined = reserved, not yet resolved; [0, replyHead) already sent */
  private replies: Array<Uint8Array | undefined> = []
  private replyHead = 0
  /** reservation number of replies[0] */
  private replyBase = 0
  /** close() was called while replies were pending: the final ERR code (or -1) once they are sent */
  private closeAfterReplies: number | undefined = undefined
  private readonly backlog: Array<Packet> = []
  private fatal: number | undefined = undefined
  private lastPacketAt = Date.now()
  /** when the connection was last seen without a session by the watchdog (0: it has one) */
  private anonymousSince = Date.now()
  /** time of the last read (ms): the clock of everything the hot path does for the packets of a chunk */
  readAt = Date.now()
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
    Connection.owners.set(socket, this)
    socket.on("data", Connection.socketData)
    socket.on("drain", Connection.socketDrain)
    socket.on("error", Connection.socketError)
    socket.once("close", Connection.socketClose)
    this.send(hello)
    this.lastPacketAt = this.anonymousSince = Date.now()
    const l = this.limits
    const period = Math.max(10, Math.floor(Math.min(l.idleMs, l.headerMs, l.loginDeadlineMs) / 4))
    this.watchdog = setInterval(Connection.watchdogTick, period, this)
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
      setImmediate(Connection.flushLater, this)
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

  /** Replies pending (reserved or queued behind a reservation). */
  get pendingReplies(): number {
    return this.replies.length - this.replyHead
  }

  /** Queues a reply: sent at once, unless earlier requests' replies are still pending (then behind them). */
  reply(frame: Uint8Array): void {
    if (this.replyHead === this.replies.length) this.send(frame)
    else this.replies.push(frame)
  }

  /** Reserves the next reply slot; fill it with `resolveReply` (once). */
  reserveReply(): number {
    return this.replyBase + this.replies.push(undefined) - 1
  }

  /** Fills a reserved slot; the replies at the head that are complete are sent, in order. */
  resolveReply(slot: number, frame: Uint8Array): void {
    const i = slot - this.replyBase
    // a slot of a connection that closed meanwhile (the FIFO was reset), or filled twice
    if (i < this.replyHead || i >= this.replies.length || this.replies[i] !== undefined) return
    this.replies[i] = frame
    if (i !== this.replyHead) return
    const replies = this.replies
    let head = this.replyHead
    while (head < replies.length) {
      const next = replies[head]
      if (next === undefined) break
      replies[head] = undefined
      head++
      this.send(next)
    }
    if (head === replies.length) {
      this.replyBase += replies.length
      replies.length = 0
      this.replyHead = 0
      this.repliesSent()
    } else {
      this.replyHead = head
      if (head >= 1024 && head * 2 >= replies.length) {
        replies.splice(0, head)
        this.replyBase += head
        this.replyHead = 0
      }
      if (this.throttled && this.pendingReplies < MAX_PENDING_REPLIES / 2) this.unthrottle()
    }
  }

  /** Every pending reply was sent. */
  private repliesSent(): void {
    if (this.closeAfterReplies !== undefined) {
      const code = this.closeAfterReplies
      this.closeAfterReplies = undefined
      this.finishClose(code < 0 ? undefined : code)
      return
    }
    if (this.held !== undefined) {
      const packet = this.held
      this.held = undefined
      if (this.closing || this.stopped) return
      this.host.slow(this, packet)
      return
    }
    if (this.throttled) this.unthrottle()
  }

  private unthrottle(): void {
    this.throttled = false
    this.busy = false
    this.schedulePump()
  }

  private flush(): void {
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
      this.writeTimer = setTimeout(Connection.writeDeadlinePassed, this.limits.writeMs, this)
    }
  }

  private onDrain(): void {
    if (this.writeTimer !== undefined) {
      clearTimeout(this.writeTimer)
      this.writeTimer = undefined
    }
  }

  private onWriteDeadline(): void {
    this.writeTimer = undefined
    this.host.debug(this, "write deadline passed: disconnecting a client that does not read")
    this.destroy()
  }

  // ------------------------------------------------------------------------------------------
  // Input

  private onData(chunk: Buffer): void {
    if (this.closing || this.stopped) return
    const framer = (this.framer ??= new PacketFramer("server"))
    const packets = framer.push(chunk)
    const now = Date.now()
    this.readAt = now
    if (packets.length > 0) this.lastPacketAt = now
    this.partialSince = framer.buffered > 0 ? (this.partialSince || now) : 0
    for (let i = 0; i < packets.length; i++) {
      if (this.closing) return
      if (this.busy || this.backlog.length > 0) this.backlog.push(copyPacket(packets[i]))
      else this.dispatch(packets[i])
    }
    const error = framer.error
    if (error !== undefined) this.fatal = error.code
    // paused only once packets wait: a lone slow packet (LOGIN, VERIF...) costs no readStop/readStart
    if (this.busy) {
      if (this.backlog.length > 0 || this.fatal !== undefined) this.socket.pause()
    } else if (this.fatal !== undefined) this.fail(this.fatal, "malformed packet")
  }

  private dispatch(packet: Packet): void {
    if (this.host.hot(this, packet)) {
      if (this.replyHead !== this.replies.length && this.pendingReplies >= MAX_PENDING_REPLIES) {
        this.busy = true
        this.throttled = true
      }
      return
    }
    this.busy = true
    // earlier requests' replies come first: the slow handler starts once they are sent
    if (this.replyHead !== this.replies.length) this.held = copyPacket(packet)
    else this.host.slow(this, copyPacket(packet))
  }

  /** The slow handling of the current packet finished (ConnectionHost.slow). */
  slowDone(): void {
    this.busy = false
    this.schedulePump()
  }

  /** Resumes the backlog from the event loop (never inside the completion that freed the connection). */
  private schedulePump(): void {
    if (this.pumpQueued) return
    this.pumpQueued = true
    setImmediate(Connection.pumpLater, this)
  }

  // Callbacks are static and shared by every connection: a closure per callback and connection cost ~60
  // bytes each, for every idle connection too. Socket listeners find their connection from the socket
  // (`this`); timers and immediates get it as their argument.
  private static readonly owners = new WeakMap<net.Socket, Connection>()

  private static socketData(this: net.Socket, chunk: Buffer): void {
    Connection.owners.get(this)?.onData(chunk)
  }

  private static socketDrain(this: net.Socket): void {
    Connection.owners.get(this)?.onDrain()
  }

  private static socketError(this: net.Socket, error: Error): void {
    Connection.owners.get(this)?.onError(error)
  }

  private static socketClose(this: net.Socket): void {
    Connection.owners.get(this)?.onClose()
  }

  private static pumpLater(conn: Connection): void {
    conn.pumpQueued = false
    conn.pump()
  }

  private static flushLater(conn: Connection): void {
    conn.flush()
  }

  private static writeDeadlinePassed(conn: Connection): void {
    conn.onWriteDeadline()
  }

  private static watchdogTick(conn: Connection): void {
    conn.onWatchdog()
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

  private onWatchdog(): void {
    if (this.closing || this.stopped) return
    const now = Date.now()
    if (this.user !== undefined) this.anonymousSince = 0
    else if (this.anonymousSince === 0) this.anonymousSince = now
    if (now - this.lastPacketAt >= this.limits.idleMs) {
      this.fail(ErrorCode.IDLE, "idle deadline passed")
    } else if (this.anonymousSince !== 0 && now - this.anonymousSince >= this.limits.loginDeadlineMs && !this.busy) {
      this.host.limitReached(this, "loginDeadlineMs")
      this.fail(ErrorCode.IDLE, "login deadline passed")
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
    this.held = undefined
    if (!this.socket.destroyed) this.socket.pause()
  }

  /** Sends ERR(code, Null ID) then closes. */
  fail(code: number, reason: string): void {
    this.close(reason, code)
  }

  /**
   * Flushes what is queued (plus a final Null-ID ERR if given), then ends the connection. Replies still
   * pending (offline MSGs being committed) are sent first, then the ERR; the session ends at once.
   */
  close(reason: string, errorCode?: number): void {
    if (this.closing || this.closed) return
    this.closing = true
    this.host.debug(this, `closing: ${reason}`)
    this.host.closing(this)
    this.backlog.length = 0
    this.held = undefined
    if (this.replyHead !== this.replies.length) {
      this.closeAfterReplies = errorCode ?? -1
      this.endTimer = setTimeout(() => this.destroy(), this.limits.writeMs)
      return
    }
    this.finishClose(errorCode)
  }

  private finishClose(errorCode: number | undefined): void {
    if (this.closed || this.ended) return
    if (this.endTimer !== undefined) clearTimeout(this.endTimer)
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

  private onError(error: Error): void {
    this.host.debug(this, `socket error: ${error.message}`)
  }

  private onClose(): void {
    if (this.closed) return
    this.closed = true
    this.closing = true
    this.backlog.length = 0
    this.held = undefined
    this.closeAfterReplies = undefined
    this.replyBase += this.replies.length
    this.replies = []
    this.replyHead = 0
    this.out = []
    this.outBytes = 0
    if (this.watchdog !== undefined) clearInterval(this.watchdog)
    if (this.writeTimer !== undefined) clearTimeout(this.writeTimer)
    if (this.endTimer !== undefined) clearTimeout(this.endTimer)
    for (const cb of this.flushCallbacks.splice(0)) cb(new Error("connection closed"))
    this.host.closed(this)
  }
}
