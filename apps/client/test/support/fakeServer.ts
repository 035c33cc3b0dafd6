/**
 * A scripted gochat server for unit tests: a real TCP listener that frames client packets with
 * libs/protocol and lets the test decide what to answer, packet by packet.
 */
import { Action, EMPTY_INFO, encodePacket, NULL_ID, type Packet, PacketFramer } from "@gochat/protocol"
import * as net from "node:net"
import * as tls from "node:tls"

export interface FakeConnection {
  readonly socket: net.Socket
  /** Next packet from the client (waits). */
  readonly next: () => Promise<Packet>
  readonly send: (p: { action: number; info?: number; id?: number; args?: ReadonlyArray<Uint8Array | string> }) => void
  readonly hello: (motd?: string) => void
  readonly close: () => void
  /** Every packet received so far (`next` consumes from a queue; this keeps them all). */
  readonly received: ReadonlyArray<Packet>
  /** Resolves when the client's side is closed. */
  readonly closed: Promise<void>
}

export interface FakeServer {
  readonly port: number
  /** Next accepted connection (waits). */
  readonly accept: () => Promise<FakeConnection>
  readonly close: () => Promise<void>
}

const enc = new TextEncoder()

/** A queue whose `take` waits for the next item. */
const waitQueue = <A>() => {
  const items: Array<A> = []
  const waiters: Array<(a: A) => void> = []
  return {
    push: (a: A) => {
      const w = waiters.shift()
      if (w) w(a)
      else items.push(a)
    },
    take: () => new Promise<A>((resolve) => {
      const a = items.shift()
      if (a !== undefined) resolve(a)
      else waiters.push(resolve)
    })
  }
}

/** With `tls`, the listener speaks TLS with that certificate and key (PEM). */
export const startFakeServer = async (options: { tls?: { cert: string; key: string } } = {}): Promise<FakeServer> => {
  const connections = waitQueue<FakeConnection>()
  const sockets = new Set<net.Socket>()
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => {})
    const framer = new PacketFramer("server")
    const packets = waitQueue<Packet>()
    const received: Array<Packet> = []
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
    socket.on("data", (chunk) => {
      for (const p of framer.push(chunk)) {
        const packet = { action: p.action, info: p.info, id: p.id, args: p.args.map((a) => Uint8Array.from(a)) }
        received.push(packet)
        packets.push(packet)
      }
    })
    const send: FakeConnection["send"] = (p) =>
      void socket.write(encodePacket({
        action: p.action,
        info: p.info ?? EMPTY_INFO,
        id: p.id ?? NULL_ID,
        args: (p.args ?? []).map((a) => (typeof a === "string" ? enc.encode(a) : a))
      }))
    connections.push({
      socket,
      next: packets.take,
      send,
      hello: (motd = "Welcome!") => send({ action: Action.HELLO, args: [motd] }),
      close: () => socket.destroy(),
      received,
      closed
    })
  }
  const server = options.tls === undefined
    ? net.createServer(onSocket)
    : tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onSocket)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const port = (server.address() as net.AddressInfo).port
  return {
    port,
    accept: connections.take,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
