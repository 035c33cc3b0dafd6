/**
 * A scripted gochat server for unit tests: a real TCP listener that frames client packets with
 * libs/protocol and lets the test decide what to answer, packet by packet.
 */
import { encryptNoCrlf, publicKeyOf, publicKeyToPem, randomChallenge, type RsaPrivateKey } from "@gochat/crypto"
import {
  Action,
  EMPTY_INFO,
  encodePacket,
  encodeServerMessage,
  ErrorCode,
  makeReciv,
  NULL_ID,
  type Packet,
  PacketFramer
} from "@gochat/protocol"
import { Either } from "effect"
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

/** What `serve` answers with. */
export interface Script {
  /** The account the server pretends to hold: LOGIN gets a real challenge to its key, VERIF is accepted. */
  readonly account?: { readonly username: string; readonly key: RsaPrivateKey }
  /** REQ replies by username: a public key PEM (of any kind, the point of a hostile server) and a level. */
  readonly users?: Readonly<Record<string, { readonly publicKey: string; readonly permission?: number }>>
  /** The USRS reply text, by list type (default: the account's own name). */
  readonly usrs?: (info: number) => string
  /** Looks at each packet first; returns true when it answered it itself. */
  readonly on?: (p: Packet, peer: FakeConnection) => boolean
}

/**
 * Answers the client's packets like a gochat server would, after `script.on`: LOGIN with a real
 * challenge for the scripted account (VERIF accepted), REQ from `users` (the account itself at level 0,
 * anyone else ERR_NOTFOUND), USRS with `usrs`, RECIV with ERR_EMPTY, everything else with OK.
 */
export const serve = (peer: FakeConnection, script: Script = {}): void => {
  const loop = async () => {
    for (;;) {
      const p = await peer.next()
      if (script.on?.(p, peer) === true) continue
      const name = (i: number) => (p.args[i] === undefined ? "" : new TextDecoder().decode(p.args[i]))
      switch (p.action) {
        case Action.LOGIN: {
          const account = script.account
          if (account === undefined || name(0) !== account.username) {
            peer.send({ action: Action.ERR, id: p.id, info: ErrorCode.NOTFOUND })
          } else {
            const challenge = Either.getOrThrow(encryptNoCrlf(publicKeyOf(account.key), enc.encode(randomChallenge())))
            peer.send({ action: Action.VERIF, id: p.id, args: [challenge] })
          }
          break
        }
        case Action.REQ: {
          const wanted = name(0)
          const user = script.users?.[wanted] ??
            (script.account !== undefined && wanted === script.account.username
              ? { publicKey: publicKeyToPem(publicKeyOf(script.account.key)), permission: 0 }
              : undefined)
          if (user === undefined) peer.send({ action: Action.ERR, id: p.id, info: ErrorCode.NOTFOUND })
          else {
            const reply = encodeServerMessage({ _tag: "ReqReply", username: wanted, publicKey: user.publicKey, permission: (user.permission ?? 0) as 0 | 1 | 2 }, p.id)
            peer.send({ action: reply.action, id: reply.id, args: reply.args })
          }
          break
        }
        case Action.USRS:
          peer.send({ action: Action.USRS, id: p.id, args: [script.usrs?.(p.info) ?? script.account?.username ?? ""] })
          break
        case Action.RECIV:
          peer.send({ action: Action.ERR, id: p.id, info: ErrorCode.EMPTY })
          break
        case Action.KEEP:
          break
        default:
          peer.send({ action: Action.OK, id: p.id })
      }
    }
  }
  void loop()
}

/** A RECIV push (Null ID) from `sender`: `text` encrypted to `to`, or `ciphertext` as given. */
export const recivPacket = (sender: string, body: { readonly to: RsaPrivateKey; readonly text: string } | Uint8Array, stamp = new Date()) => {
  const ciphertext = body instanceof Uint8Array ? body : Either.getOrThrow(encryptNoCrlf(publicKeyOf(body.to), enc.encode(body.text)))
  const packet = encodeServerMessage(makeReciv(sender, new Date(Math.floor(stamp.getTime() / 1000) * 1000), ciphertext), NULL_ID)
  return { action: packet.action, info: packet.info, id: packet.id, args: packet.args }
}
