/**
 * The plain TCP listener and the optional TLS listener, admission control and the graceful stop.
 *
 * - Admission: one address holds at most `max_connections_per_address` sockets (served, waiting, or in
 *   their TLS handshake: counted from the TCP accept to the close; more are closed at once), so one
 *   machine cannot take every slot. At most `maxClients` connections are served (both listeners share
 *   the count); later ones wait in a fair FIFO queue (bounded by `maxWaiting`) and get their HELLO when a
 *   slot frees.
 * - TLS: TLS 1.2+, cert/key from the config, handshake deadline `handshakeMs`, at most
 *   `max_tls_handshakes` handshakes in progress (more are closed at once); a connection is secure iff it
 *   came in over the TLS listener.
 * - Closing the layer's scope is the graceful stop: stop accepting, stop reading, let in-flight requests
 *   finish, tell every connection (SHTDWN) unless a scheduled shutdown already did, flush and close them.
 */
import * as fs from "node:fs"
import * as net from "node:net"
import * as tls from "node:tls"
import { Data, Effect, FiberSet } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
import { Motd } from "../hubs/Motd.js"
import { LocalEndpoints } from "../hubs/LocalEndpoints.js"
import { Sessions } from "../hubs/Sessions.js"
import { Shutdown } from "../hubs/Shutdown.js"
import { Connection, type ConnectionHost } from "./Connection.js"
import { helloFrame, shtdwnAtFrame } from "./frames.js"
import { Handlers } from "./Handlers.js"
import { Limits } from "../hubs/Limits.js"
import { Relay } from "./Relay.js"

export class ListenError extends Data.TaggedError("ListenError")<{ readonly message: string }> {}

interface Waiting {
  readonly socket: net.Socket
  readonly secure: boolean
}

/** The address without port; IPv4-mapped IPv6 shown as plain IPv4 (as Go does). */
const remoteIp = (socket: net.Socket): string => {
  const address = socket.remoteAddress ?? ""
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address
}

/** Why a listen failed, with what to do about it. */
const listenProblem = (error: NodeJS.ErrnoException): string => {
  switch (error.code) {
    case "EADDRINUSE":
      return "the port is already in use (another server running?); stop it or choose another port"
    case "EACCES":
      return "permission denied (ports below 1024 need privileges); choose a port from 1024"
    case "EADDRNOTAVAIL":
      return "the address is not one of this machine's; choose another address"
    default:
      return error.code ?? error.message
  }
}

const listen = (server: net.Server, port: number, host: string, what: string) =>
  Effect.async<number, ListenError>((resume) => {
    const onError = (error: NodeJS.ErrnoException) =>
      resume(Effect.fail(new ListenError({ message: `cannot listen for ${what} on ${host}:${port}: ${listenProblem(error)}` })))
    server.once("error", onError)
    server.listen({ port, host }, () => {
      server.off("error", onError)
      resume(Effect.succeed((server.address() as net.AddressInfo).port))
    })
  })

const closeServer = (server: net.Server) =>
  Effect.async<void>((resume) => {
    if (!server.listening) return resume(Effect.void)
    server.close(() => resume(Effect.void))
  })

export class Listeners extends Effect.Service<Listeners>()("server/Listeners", {
  scoped: Effect.gen(function*() {
    const config = yield* ServerConfig
    const local = yield* LocalEndpoints
    const sessions = yield* Sessions
    const handlers = yield* Handlers
    const relay = yield* Relay
    const motd = yield* Motd
    const shutdown = yield* Shutdown
    const guard = yield* Limits
    const t = config.timeouts
    const l = config.limits

    const run = yield* FiberSet.makeRuntime<never>()
    const inflight = yield* FiberSet.make()
    const runTracked = (effect: Effect.Effect<void>) => {
      const fiber = run(effect)
      FiberSet.unsafeAdd(inflight, fiber)
      return fiber
    }

    const live = new Set<Connection>()
    const waiting: Array<Waiting> = []
    let active = 0
    let nextId = 1
    let stopping = false
    let drained: (() => void) | undefined = undefined

    // per-connection debug lines cost a fiber each: not even started unless debug logging is on
    const debugOn = config.logLevel === "ALL" || config.logLevel === "DEBUG"

    const host: ConnectionHost = {
      hot: relay.hot,
      slow: (conn, packet) => {
        runTracked(handlers.handle(conn, packet)).addObserver(() => conn.slowDone())
      },
      closing: (conn) => {
        run(sessions.logout(conn))
      },
      closed: (conn) => {
        live.delete(conn)
        run(sessions.disconnected(conn))
        release()
        if (stopping && live.size === 0 && drained) drained()
      },
      debug: (conn, message) => {
        if (debugOn) run(Effect.logDebug(message).pipe(Effect.annotateLogs({ conn: conn.id, ip: conn.ip })))
      },
      limitReached: (conn, limit) => guard.triggered(limit, conn.ip)
    }

    const limits = {
      idleMs: t.idleMs,
      loginDeadlineMs: l.loginDeadlineMs,
      headerMs: t.headerMs,
      writeMs: t.writeMs,
      maxOutboundBytes: config.maxOutboundBytes
    }

    const admit = (socket: net.Socket, secure: boolean) => {
      active++
      const conn = new Connection(nextId++, socket, secure, remoteIp(socket), host, limits)
      live.add(conn)
      local.register(conn)
      if (debugOn) run(Effect.logDebug("connection admitted").pipe(Effect.annotateLogs({ conn: conn.id, ip: conn.ip, secure })))
      conn.start(helloFrame(motd.current()))
    }

    const release = () => {
      active--
      while (waiting.length > 0 && active < config.maxClients && !stopping) {
        const next = waiting.shift()!
        if (next.socket.destroyed) continue
        admit(next.socket, next.secure)
      }
    }

    /** Sockets per address, from the TCP accept (before any TLS handshake) to the close. */
    const perAddress = new Map<string, number>()
    /** Counts a new socket against its address's limit; false (and the socket destroyed) if it is over. */
    const countAddress = (socket: net.Socket): boolean => {
      const ip = remoteIp(socket)
      const n = perAddress.get(ip) ?? 0
      if (n >= l.maxConnectionsPerAddress) {
        guard.triggered("maxConnectionsPerAddress", ip)
        socket.destroy()
        return false
      }
      perAddress.set(ip, n + 1)
      socket.once("close", () => {
        const left = perAddress.get(ip)! - 1
        if (left === 0) perAddress.delete(ip)
        else perAddress.set(ip, left)
      })
      return true
    }

    const offer = (socket: net.Socket, secure: boolean) => {
      socket.setNoDelay(true)
      if (stopping) {
        socket.destroy()
        return
      }
      if (active < config.maxClients) {
        admit(socket, secure)
        return
      }
      if (waiting.length >= config.maxWaiting) {
        socket.destroy()
        return
      }
      socket.pause()
      socket.on("error", () => {})
      const entry: Waiting = { socket, secure }
      waiting.push(entry)
      socket.once("close", () => {
        const i = waiting.indexOf(entry)
        if (i >= 0) waiting.splice(i, 1)
      })
    }

    const tcp = net.createServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
      if (countAddress(socket)) offer(socket, false)
    })
    const port = yield* Effect.acquireRelease(
      listen(tcp, config.port, config.address, "TCP"),
      () => closeServer(tcp)
    )
    // after listen: a failure to listen is the one-line ListenError, not also a log line
    tcp.on("error", (error) => run(Effect.logError("TCP listener error", error.message)))

    let tlsPort: number | undefined = undefined
    let tlsServer: tls.Server | undefined = undefined
    if (config.tls) {
      const files = config.tls
      const [cert, key] = yield* Effect.try({
        try: () => [fs.readFileSync(files.certFile), fs.readFileSync(files.keyFile)] as const,
        catch: (e) => new ListenError({ message: `cannot read the TLS certificate or key: ${(e as Error).message}` })
      })
      const server = yield* Effect.try({
        try: () =>
          tls.createServer({
            cert,
            key,
            minVersion: "TLSv1.2",
            handshakeTimeout: t.handshakeMs,
            noDelay: true
          }),
        catch: (e) => new ListenError({ message: `invalid TLS certificate or key: ${(e as Error).message}` })
      })
      // handshakes in progress, by the socket's address and port (the same on the TLS socket)
      const handshaking = new Set<string>()
      const endpointKey = (socket: net.Socket) => `${socket.remoteAddress}|${socket.remotePort}`
      server.on("connection", (raw: net.Socket) => {
        if (stopping) return raw.destroy()
        if (handshaking.size >= l.maxTlsHandshakes) {
          guard.triggered("maxTlsHandshakes", remoteIp(raw))
          return raw.destroy()
        }
        if (!countAddress(raw)) return
        const key = endpointKey(raw)
        handshaking.add(key)
        raw.once("close", () => handshaking.delete(key))
      })
      server.on("secureConnection", (socket) => {
        handshaking.delete(endpointKey(socket))
        offer(socket, true)
      })
      server.on("tlsClientError", (error, socket) => {
        socket.destroy()
        run(Effect.logDebug("TLS handshake failed", error.message))
      })
      tlsServer = server
      tlsPort = yield* Effect.acquireRelease(
        listen(server, files.port, config.address, "TLS"),
        () => closeServer(server)
      )
      server.on("error", (error) => run(Effect.logError("TLS listener error", error.message)))
    }

    // the graceful stop (runs before the listeners' own release above, and before the database closes)
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        stopping = true
        tcp.close()
        tlsServer?.close()
        for (const w of waiting.splice(0)) w.socket.destroy()
        for (const conn of live) conn.stopReading()
        yield* FiberSet.awaitEmpty(inflight).pipe(Effect.timeoutOption(t.shutdownFlushMs))
        const announce = shutdown.scheduledAt() === undefined
        const frame = shtdwnAtFrame(Math.floor(Date.now() / 1000))
        if (live.size > 0) {
          const allClosed = new Promise<void>((resolve) => {
            drained = resolve
          })
          for (const conn of [...live]) {
            if (announce) conn.send(frame)
            conn.close("server shutdown")
          }
          yield* Effect.promise(() => allClosed).pipe(Effect.timeoutOption(t.shutdownFlushMs))
          for (const conn of [...live]) conn.destroy()
        }
        yield* Effect.logInfo("server stopped")
      })
    )

    return { port, tlsPort } as const
  })
}) {}
