/**
 * The connection to one gochat server: plain TCP or TLS, HELLO with a timeout, a reader fiber
 * that frames and dispatches packets, request/reply correlation by 10-bit packet ID with a
 * per-request timeout, KEEP on a schedule, and a clean state change when the socket goes away
 * (every waiting request fails with `ConnectionLost`, nothing hangs).
 *
 * Unsolicited server packets (RECIV, HOOK, SHTDWN and the Null-ID ERR sent before a close)
 * are published, with connection changes and verbose packet dumps, as `ConnectionEvent`s.
 */
import { Action, EMPTY_INFO, errorDescription, framePackets, MAX_ID, NULL_ID, actionName, dumpPacket, encodePacket, type Packet } from "@gochat/protocol"
import { Cause, Deferred, Duration, Effect, Exit, Option, PubSub, Ref, Schedule, Scope, Stream, SubscriptionRef } from "effect"
import * as net from "node:net"
import * as tls from "node:tls"
import {
  AlreadyConnected,
  ConnectFailed,
  ConnectionLost,
  NotConnected,
  ProtocolViolation,
  RequestTimeout,
  ServerError,
  TooManyRequests
} from "./errors.js"

/** Where to connect. `name` is only used for display. */
export interface ConnectTarget {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly tls: boolean
  /** Verify the server certificate (TLS only). Default true. */
  readonly verifyTls?: boolean
  /** Extra trusted CA certificates in PEM (TLS only), e.g. a self-signed server certificate. */
  readonly ca?: string | ReadonlyArray<string>
}

export interface ConnectOptions {
  /** How long to wait for the TCP/TLS connection and the server's HELLO. Default 20 s. */
  readonly helloTimeout?: Duration.DurationInput
  /** Send KEEP this often; `false` disables it. Default every 5 minutes. */
  readonly keepAlive?: Duration.DurationInput | false
}

export type ConnectionState =
  | { readonly _tag: "Disconnected"; readonly reason: string | undefined }
  | { readonly _tag: "Connecting"; readonly target: ConnectTarget }
  | { readonly _tag: "Connected"; readonly target: ConnectTarget; readonly motd: string }

export type ConnectionEvent =
  | { readonly _tag: "Connected"; readonly target: ConnectTarget; readonly motd: string }
  | { readonly _tag: "Disconnected"; readonly target: ConnectTarget; readonly reason: string; readonly byUser: boolean }
  /** A packet the server sent on its own: RECIV, HOOK, SHTDWN, or the Null-ID ERR sent before closing. */
  | { readonly _tag: "Unsolicited"; readonly packet: Packet }
  /** Verbose mode only: a readable dump of a packet sent or received. */
  | { readonly _tag: "PacketDump"; readonly direction: "sent" | "received"; readonly text: string }

export interface RequestOptions {
  /** Reply actions that answer this request (ERR always does). Default: OK. */
  readonly expect?: ReadonlyArray<number>
  /** Default: the connection's request timeout (15 s). */
  readonly timeout?: Duration.DurationInput
}

/** The packet to send, without its ID (the connection assigns one). */
export interface OutgoingPacket {
  readonly action: number
  readonly info?: number
  readonly args?: ReadonlyArray<Uint8Array | string>
}

interface Pending {
  readonly action: number
  readonly expect: ReadonlyArray<number>
  readonly reply: Deferred.Deferred<Packet, ConnectionLost | ProtocolViolation>
}

interface Live {
  readonly target: ConnectTarget
  readonly socket: net.Socket
  readonly scope: Scope.CloseableScope
  readonly pending: Map<number, Pending>
  closed: boolean
  /** Why the server is closing, when it said so (Null-ID ERR). */
  fatal: string | undefined
  /** Set once HELLO arrived and the connection became the live one. */
  registered: boolean
  /** Set when the reader stopped, with the reason. */
  readerDone: string | undefined
  /**
   * IDs of requests that timed out: not reused until their late reply shows up (or until too
   * many accumulate), so a late reply can never be taken for the answer to a newer request.
   */
  readonly stale: Set<number>
}

const MAX_STALE_IDS = 256

const idInUse = (conn: Live) => (id: number) => conn.pending.has(id) || conn.stale.has(id)

const encoder = new TextEncoder()
const toBytes = (a: Uint8Array | string): Uint8Array => (typeof a === "string" ? encoder.encode(a) : a)

export const describeTarget = (t: ConnectTarget): string => `${t.name} (${t.address}:${t.port}${t.tls ? ", TLS" : ""})`

/**
 * Allocates packet IDs 1…1023: never 0, wrapping, and never an ID that is still waiting for
 * its reply. Starts at a random point like the original client.
 */
export class IdAllocator {
  private next: number
  constructor(start = 1 + Math.floor(Math.random() * MAX_ID)) {
    this.next = ((start - 1) % MAX_ID) + 1
  }
  /** The next free ID, or undefined when all 1023 are in use. */
  take(inUse: (id: number) => boolean): number | undefined {
    for (let i = 0; i < MAX_ID; i++) {
      const id = this.next
      this.next = (this.next % MAX_ID) + 1
      if (!inUse(id)) return id
    }
    return undefined
  }
}

export class Connection extends Effect.Service<Connection>()("client/Connection", {
  scoped: Effect.gen(function*() {
    const state = yield* SubscriptionRef.make<ConnectionState>({ _tag: "Disconnected", reason: undefined })
    const events = yield* PubSub.sliding<ConnectionEvent>(4096)
    const verbose = yield* Ref.make(false)
    const ids = new IdAllocator()
    let live: Live | undefined
    /** Runs inline in the reader fiber, before the next packet is looked at (see `setHandler`). */
    let handler: (e: ConnectionEvent) => Effect.Effect<void> = () => Effect.void
    const emit = (e: ConnectionEvent) => Effect.zipRight(Effect.suspend(() => handler(e)), PubSub.publish(events, e))
    const requestTimeout = Duration.seconds(15)

    const dump = (direction: "sent" | "received", packet: Packet | Uint8Array) =>
      Effect.flatMap(Ref.get(verbose), (on) =>
        on
          ? emit({ _tag: "PacketDump", direction, text: dumpPacket(packet, direction === "sent" ? "c2s" : "s2c") })
          : Effect.void)

    /** Tear a connection down once: fail every waiting request, update state, announce it. */
    const teardown = (conn: Live, reason: string, byUser: boolean) =>
      Effect.suspend(() => {
        if (conn.closed) return Effect.void
        conn.closed = true
        if (live === conn) live = undefined
        conn.socket.destroy()
        const finalReason = conn.fatal ?? reason
        const lost = new ConnectionLost({ reason: finalReason })
        const waiting = [...conn.pending.values()]
        conn.pending.clear()
        return Effect.forEach(waiting, (p) => Deferred.fail(p.reply, lost), { discard: true }).pipe(
          Effect.zipRight(SubscriptionRef.set(state, { _tag: "Disconnected", reason: finalReason })),
          Effect.zipRight(emit({ _tag: "Disconnected", target: conn.target, reason: finalReason, byUser })),
          Effect.zipRight(Effect.forkDaemon(Scope.close(conn.scope, Exit.void))),
          Effect.asVoid
        )
      }).pipe(Effect.uninterruptible)

    const write = (conn: Live, packet: Packet) =>
      Effect.suspend(() => {
        const bytes = encodePacket(packet)
        if (conn.closed || conn.socket.destroyed) {
          return Effect.fail(new ConnectionLost({ reason: conn.fatal ?? "the connection is closed" }))
        }
        conn.socket.write(bytes)
        return dump("sent", packet)
      })

    const onPacket = (conn: Live, packet: Packet): Effect.Effect<void> => {
      if (packet.id === NULL_ID) {
        if (packet.action === Action.ERR) conn.fatal = `the server closed the connection: ${errorDescription(packet.info)}`
        return emit({ _tag: "Unsolicited", packet: copyPacket(packet) })
      }
      const waiting = conn.pending.get(packet.id)
      if (waiting === undefined) {
        conn.stale.delete(packet.id) // a late reply to a request that timed out: its ID is free again
        return Effect.void
      }
      conn.pending.delete(packet.id)
      if (packet.action === Action.ERR || waiting.expect.includes(packet.action)) {
        return Deferred.succeed(waiting.reply, copyPacket(packet))
      }
      return Deferred.fail(
        waiting.reply,
        new ProtocolViolation({ reason: `${actionName(packet.action)} in reply to ${actionName(waiting.action)}` })
      )
    }

    const openSocket = (target: ConnectTarget) =>
      Effect.async<net.Socket, ConnectFailed>((resume) => {
        const socket = target.tls
          ? tls.connect({
            host: target.address,
            port: target.port,
            servername: net.isIP(target.address) === 0 ? target.address : undefined,
            rejectUnauthorized: target.verifyTls !== false,
            ca: target.ca === undefined ? undefined : typeof target.ca === "string" ? [target.ca] : [...target.ca]
          })
          : net.connect({ host: target.address, port: target.port })
        socket.setNoDelay(true)
        const onError = (e: Error) => {
          socket.destroy()
          resume(Effect.fail(new ConnectFailed({ target: describeTarget(target), reason: explainSocketError(e, target) })))
        }
        socket.once("error", onError)
        socket.once(target.tls ? "secureConnect" : "connect", () => {
          socket.off("error", onError)
          resume(Effect.succeed(socket))
        })
        return Effect.sync(() => socket.destroy())
      })

    const readChunks = (socket: net.Socket) =>
      Stream.async<Uint8Array, ConnectionLost>((emit) => {
        socket.on("data", (chunk: Buffer) => void emit.single(chunk))
        socket.once("end", () => void emit.end())
        socket.once("close", () => void emit.end())
        socket.on("error", (e) => void emit.fail(new ConnectionLost({ reason: e.message })))
      })

    const connect = Effect.fn("Connection.connect")(function*(target: ConnectTarget, options: ConnectOptions = {}) {
      if (live !== undefined) return yield* new AlreadyConnected({ server: describeTarget(live.target) })
      const current = yield* SubscriptionRef.get(state)
      if (current._tag === "Connecting") return yield* new AlreadyConnected({ server: describeTarget(current.target) })
      yield* SubscriptionRef.set(state, { _tag: "Connecting", target })
      const helloTimeout = Duration.decode(options.helloTimeout ?? Duration.seconds(20))
      const describe = describeTarget(target)

      // Everything until the connection is registered as `live` is undone on failure.
      const attempt = Effect.gen(function*() {
        const socket = yield* openSocket(target)
        const scope = yield* Scope.make()
        const conn: Live = { target, socket, scope, pending: new Map(), closed: false, fatal: undefined, registered: false, readerDone: undefined, stale: new Set() }
        const abandon = Effect.sync(() => {
          conn.closed = true
          socket.destroy()
        }).pipe(Effect.zipRight(Scope.close(scope, Exit.void)))
        const hello = yield* Deferred.make<string, ConnectFailed>()
        let greeted = false
        const handle = (packet: Packet): Effect.Effect<void> => {
          if (greeted) return Effect.zipRight(dump("received", packet), onPacket(conn, packet))
          greeted = true
          if (packet.action !== Action.HELLO) {
            const reason = packet.action === Action.ERR
              ? `the server refused the connection: ${errorDescription(packet.info)}`
              : `expected HELLO, got ${actionName(packet.action)}`
            return Deferred.fail(hello, new ConnectFailed({ target: describe, reason }))
          }
          const motd = packet.args.length > 0 ? new TextDecoder().decode(packet.args[0]) : ""
          return Effect.zipRight(dump("received", packet), Deferred.succeed(hello, motd))
        }
        const reader = readChunks(socket).pipe(
          framePackets("client"),
          Stream.runForEach(handle),
          Effect.exit,
          Effect.flatMap((exit) =>
            Effect.suspend(() => {
              const reason = Exit.isSuccess(exit)
                ? greeted || target.tls
                  ? "the server closed the connection"
                  : "the server closed the connection without a greeting (a TLS port? then connect with --tls)"
                : Option.getOrElse(Option.fromNullable(squashMessage(exit.cause)), () => "the connection failed")
              conn.readerDone = reason
              return Deferred.fail(hello, new ConnectFailed({ target: describe, reason: conn.fatal ?? reason })).pipe(
                Effect.zipRight(conn.registered ? teardown(conn, reason, false) : Effect.void)
              )
            })
          )
        )
        yield* Effect.forkIn(reader, scope)
        const motd = yield* Deferred.await(hello).pipe(
          Effect.timeoutFail({
            duration: helloTimeout,
            onTimeout: () => new ConnectFailed({ target: describe, reason: `no HELLO within ${Duration.format(helloTimeout)} (is it a gochat server${target.tls ? "" : ", or a TLS port needing --tls"}?)` })
          }),
          Effect.onError(() => abandon)
        )
        // Register atomically with respect to the reader: if it already ended, fail instead.
        const registered = yield* Effect.sync(() => {
          if (conn.readerDone !== undefined) return false
          conn.registered = true
          live = conn
          return true
        })
        if (!registered) {
          yield* abandon
          return yield* new ConnectFailed({ target: describe, reason: conn.fatal ?? conn.readerDone ?? "the connection closed" })
        }
        return { conn, motd }
      })

      const { conn, motd } = yield* attempt.pipe(
        Effect.onError(() => SubscriptionRef.set(state, { _tag: "Disconnected", reason: undefined }))
      )
      if (options.keepAlive !== false) {
        const every = Duration.decode(options.keepAlive ?? Duration.minutes(5))
        const keep = Effect.suspend(() => {
          const id = ids.take(idInUse(conn))
          return id === undefined ? Effect.void : write(conn, { action: Action.KEEP, info: EMPTY_INFO, id, args: [] })
        }).pipe(Effect.ignore)
        yield* Effect.forkIn(keep.pipe(Effect.repeat(Schedule.spaced(every)), Effect.delay(every)), conn.scope)
      }
      yield* SubscriptionRef.set(state, { _tag: "Connected", target, motd })
      yield* emit({ _tag: "Connected", target, motd })
      if (conn.closed) {
        // it dropped while we were announcing it: the teardown already ran, restore its state
        yield* SubscriptionRef.set(state, { _tag: "Disconnected", reason: conn.fatal ?? conn.readerDone })
        return yield* new ConnectFailed({ target: describe, reason: conn.fatal ?? conn.readerDone ?? "the connection closed" })
      }
      return { motd }
    })

    /** Close the connection on the client's initiative (`reason` says why; default: the user asked). */
    const disconnect = Effect.fn("Connection.disconnect")(function*(reason: string = "disconnected by the user") {
      const conn = live
      if (conn === undefined) return yield* new NotConnected()
      yield* teardown(conn, reason, true)
      yield* Scope.close(conn.scope, Exit.void)
    })

    const current = Effect.suspend(() => (live === undefined ? Effect.fail(new NotConnected()) : Effect.succeed(live)))

    /** Send a packet and wait for its reply. ERR replies fail with `ServerError`. */
    const request = (out: OutgoingPacket, options: RequestOptions = {}) =>
      Effect.gen(function*() {
        const conn = yield* current
        const id = ids.take(idInUse(conn))
        if (id === undefined) return yield* new TooManyRequests()
        const reply = yield* Deferred.make<Packet, ConnectionLost | ProtocolViolation>()
        conn.pending.set(id, { action: out.action, expect: options.expect ?? [Action.OK], reply })
        const timeout = Duration.decode(options.timeout ?? requestTimeout)
        const packet = yield* write(conn, {
          action: out.action,
          info: out.info ?? EMPTY_INFO,
          id,
          args: (out.args ?? []).map(toBytes)
        }).pipe(
          Effect.zipRight(Deferred.await(reply)),
          Effect.timeoutFail({
            duration: timeout,
            onTimeout: () => new RequestTimeout({ action: actionName(out.action), seconds: Duration.toSeconds(timeout) })
          }),
          Effect.tapErrorTag("RequestTimeout", () =>
            Effect.sync(() => {
              conn.stale.add(id)
              if (conn.stale.size > MAX_STALE_IDS) conn.stale.delete(conn.stale.values().next().value!)
            })),
          Effect.ensuring(Effect.sync(() => {
            if (conn.pending.get(id)?.reply === reply) conn.pending.delete(id)
          }))
        )
        if (packet.action === Action.ERR) {
          return yield* new ServerError({ action: actionName(out.action), code: packet.info })
        }
        return packet
      })

    /** Send a packet that expects no reply (KEEP). */
    const send = (out: OutgoingPacket) =>
      Effect.gen(function*() {
        const conn = yield* current
        const id = ids.take(idInUse(conn))
        if (id === undefined) return yield* new TooManyRequests()
        yield* write(conn, { action: out.action, info: out.info ?? EMPTY_INFO, id, args: (out.args ?? []).map(toBytes) })
      })

    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => (live === undefined ? Effect.void : teardown(live, "the client is closing", true)))
    )

    return {
      /** The current connection state, as a value that can be watched (`state.changes`). */
      state,
      /**
       * Install the one handler that sees every event first, inline: unsolicited packets are
       * handled before any later reply is delivered (so after a request's reply, everything the
       * server sent before it has been handled). The handler must not wait for replies itself.
       */
      setHandler: (h: (e: ConnectionEvent) => Effect.Effect<void>) => Effect.sync(() => {
        handler = h
      }),
      /** Connection events. Subscribe before connecting to see everything. */
      events: Stream.fromPubSub(events),
      /** Scoped subscription to the events (no event is missed after it returns). */
      subscribe: PubSub.subscribe(events),
      connect,
      disconnect,
      request,
      send,
      /** The target of the open connection, if any. */
      target: Effect.sync(() => (live === undefined ? undefined : live.target)),
      /** Show packet dumps as `PacketDump` events. */
      setVerbose: (on: boolean) => Ref.set(verbose, on),
      verbose: Ref.get(verbose),
      /** Number of requests still waiting for a reply. */
      waiting: Effect.sync(() => (live === undefined ? 0 : live.pending.size))
    } as const
  })
}) {}

const copyPacket = (p: Packet): Packet => ({ action: p.action, info: p.info, id: p.id, args: p.args.map((a) => Uint8Array.from(a)) })

const squashMessage = (cause: Cause.Cause<unknown>): string | undefined => {
  const failure = Option.getOrUndefined(Cause.failureOption(cause))
  if (failure === undefined) return undefined
  if (typeof failure === "object" && failure !== null && "message" in failure && typeof failure.message === "string") {
    const tag = (failure as { _tag?: string })._tag
    return tag === "ProtocolError" ? `invalid packet from the server: ${failure.message}` : failure.message
  }
  return String(failure)
}

const explainSocketError = (e: Error & { code?: string }, target: ConnectTarget): string => {
  switch (e.code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running on that address and port?)"
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `unknown host ${target.address}`
    case "ETIMEDOUT":
      return "connection timed out"
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
    case "CERT_HAS_EXPIRED":
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return `the server certificate could not be verified (${e.code}): trust it with --ca <certificate file>, or skip the check with --insecure`
    case "ERR_SSL_WRONG_VERSION_NUMBER":
    case "ERR_SSL_PACKET_LENGTH_TOO_LONG":
      return "the server does not speak TLS on that port (is it a plain TCP port? then connect without --tls)"
    default:
      return e.message.replace(/\s+/g, " ").trim()
  }
}
