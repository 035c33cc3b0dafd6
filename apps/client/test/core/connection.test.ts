import { Action, ErrorCode, MAX_ID, NULL_ID } from "@gochat/protocol"
import { Duration, Effect, Fiber, Layer, ManagedRuntime, Queue, Scope, Exit } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Connection, type ConnectionEvent, IdAllocator } from "../../src/core/Connection.js"
import { startFakeServer, type FakeServer } from "../support/fakeServer.js"

describe("IdAllocator", () => {
  it("cycles 1..1023, never 0, skipping IDs still waiting", () => {
    const ids = new IdAllocator(1022)
    const taken = new Set<number>()
    expect(ids.take(() => false)).toBe(1022)
    expect(ids.take(() => false)).toBe(1023)
    expect(ids.take(() => false)).toBe(1) // wraps without 0
    taken.add(2).add(3)
    expect(ids.take((i) => taken.has(i))).toBe(4)
  })

  it("reports exhaustion instead of reusing a waiting ID", () => {
    const ids = new IdAllocator(500)
    expect(ids.take(() => true)).toBeUndefined()
    const seen = new Set<number>()
    for (let i = 0; i < MAX_ID; i++) seen.add(ids.take((id) => seen.has(id))!)
    expect(seen.size).toBe(MAX_ID)
    expect(seen.has(0)).toBe(false)
    expect(ids.take((id) => seen.has(id))).toBeUndefined()
  })
})

describe("Connection against a scripted server", () => {
  let server: FakeServer
  let runtime: ManagedRuntime.ManagedRuntime<Connection, never>
  const target = () => ({ name: "fake", address: "127.0.0.1", port: server.port, tls: false })

  beforeAll(async () => {
    server = await startFakeServer()
    runtime = ManagedRuntime.make(Connection.Default as Layer.Layer<Connection>)
  })
  afterAll(async () => {
    await runtime.dispose()
    await server.close()
  })

  /** Connect and return the server side of the connection. */
  const connect = async (options: { keepAlive?: Duration.DurationInput | false } = {}) => {
    const accepted = server.accept()
    const connecting = runtime.runPromise(Effect.flatMap(Connection, (c) => c.connect(target(), { keepAlive: false, ...options })))
    const peer = await accepted
    peer.hello("Hello there")
    const { motd } = await connecting
    expect(motd).toBe("Hello there")
    return peer
  }
  const disconnect = () => runtime.runPromise(Effect.flatMap(Connection, (c) => c.disconnect()).pipe(Effect.ignore))

  it("correlates replies by ID, whatever their order", async () => {
    const peer = await connect()
    const a = runtime.runPromise(Effect.flatMap(Connection, (c) => c.request({ action: Action.REQ, args: ["a"] }, { expect: [Action.REQ] })))
    const b = runtime.runPromise(Effect.flatMap(Connection, (c) => c.request({ action: Action.REQ, args: ["b"] }, { expect: [Action.REQ] })))
    const pa = await peer.next()
    const pb = await peer.next()
    expect(pa.id).not.toBe(NULL_ID)
    expect(pb.id).not.toBe(pa.id)
    peer.send({ action: Action.REQ, id: pb.id, args: ["b", "key", Uint8Array.of(0)] })
    peer.send({ action: Action.REQ, id: pa.id, args: ["a", "key", Uint8Array.of(1)] })
    expect(new TextDecoder().decode((await a).args[0])).toBe("a")
    expect(new TextDecoder().decode((await b).args[0])).toBe("b")
    await disconnect()
  })

  it("turns ERR into a typed ServerError and drops late replies after a timeout", async () => {
    const peer = await connect()
    const failed = runtime.runPromise(Effect.flatMap(Connection, (c) => c.request({ action: Action.LOGOUT })).pipe(Effect.flip))
    const p = await peer.next()
    peer.send({ action: Action.ERR, info: ErrorCode.NOSESS, id: p.id })
    const e = await failed
    expect(e._tag).toBe("ServerError")
    expect(e._tag === "ServerError" && e.code).toBe(ErrorCode.NOSESS)

    const timedOut = runtime.runPromise(
      Effect.flatMap(Connection, (c) => c.request({ action: Action.RECIV }, { timeout: Duration.millis(100) })).pipe(Effect.flip)
    )
    const q = await peer.next()
    expect((await timedOut)._tag).toBe("RequestTimeout")
    peer.send({ action: Action.OK, id: q.id }) // late: must be ignored, not crash anything
    expect(await runtime.runPromise(Effect.flatMap(Connection, (c) => c.waiting))).toBe(0)
    await disconnect()
  })

  it("fails every waiting request with ConnectionLost when the socket closes", async () => {
    const peer = await connect()
    const waiting = [1, 2, 3].map(() =>
      runtime.runPromise(Effect.flatMap(Connection, (c) => c.request({ action: Action.RECIV })).pipe(Effect.flip))
    )
    for (let i = 0; i < 3; i++) await peer.next()
    peer.send({ action: Action.ERR, info: ErrorCode.IDLE }) // Null-ID ERR: the reason for the close
    peer.close()
    const errors = await Promise.all(waiting)
    for (const e of errors) {
      expect(e._tag).toBe("ConnectionLost")
      expect(e.message).toContain("idle")
    }
    const state = await runtime.runPromise(Effect.flatMap(Connection, (c) => c.state.get))
    expect(state._tag).toBe("Disconnected")
    const after = await runtime.runPromise(Effect.flatMap(Connection, (c) => c.request({ action: Action.RECIV })).pipe(Effect.flip))
    expect(after._tag).toBe("NotConnected")
  })

  it("publishes unsolicited packets and the disconnection", async () => {
    const events = await runtime.runPromise(
      Effect.flatMap(Connection, (c) => c.subscribe).pipe(Scope.extend(Effect.runSync(Scope.make())))
    )
    const peer = await connect()
    peer.send({ action: Action.HOOK, info: 2, args: ["bob"] })
    peer.close()
    const seen: Array<ConnectionEvent["_tag"]> = []
    const collected = await runtime.runPromise(
      Queue.take(events).pipe(
        Effect.tap((e) => Effect.sync(() => seen.push(e._tag))),
        Effect.repeat({ until: (e) => e._tag === "Disconnected" }),
        Effect.timeout(Duration.seconds(10))
      )
    )
    expect(collected._tag).toBe("Disconnected")
    expect(seen).toEqual(["Connected", "Unsolicited", "Disconnected"])
  })

  it("sends KEEP on its schedule", async () => {
    const peer = await connect({ keepAlive: Duration.millis(50) })
    const keep = await peer.next()
    expect(keep.action).toBe(Action.KEEP)
    expect(keep.id).not.toBe(NULL_ID)
    await disconnect()
  })

  it("fails to connect without HELLO in time, or with another first packet", async () => {
    const accepted = server.accept()
    const silent = runtime.runPromise(
      Effect.flatMap(Connection, (c) => c.connect(target(), { helloTimeout: Duration.millis(200), keepAlive: false })).pipe(Effect.flip)
    )
    await accepted
    const e = await silent
    expect(e._tag).toBe("ConnectFailed")
    expect(e.message).toContain("no HELLO")

    const accepted2 = server.accept()
    const wrong = runtime.runPromise(Effect.flatMap(Connection, (c) => c.connect(target(), { keepAlive: false })).pipe(Effect.flip))
    ;(await accepted2).send({ action: Action.ERR, info: ErrorCode.SERVER })
    const e2 = await wrong
    expect(e2.message).toContain("refused the connection")
    const state = await runtime.runPromise(Effect.flatMap(Connection, (c) => c.state.get))
    expect(state._tag).toBe("Disconnected")
  })

  it("a disconnect by the user releases a request that waits", async () => {
    const peer = await connect()
    const fiber = runtime.runFork(Effect.flatMap(Connection, (c) => c.request({ action: Action.USRS, info: 1 }, { expect: [Action.USRS] })))
    await peer.next()
    await disconnect()
    const exit = await runtime.runPromise(Fiber.await(fiber))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("ConnectionLost")
  })

  it("refuses a connection that is already open", async () => {
    await connect()
    const e = await runtime.runPromise(Effect.flatMap(Connection, (c) => c.connect(target())).pipe(Effect.flip))
    expect(e._tag).toBe("AlreadyConnected")
    await disconnect()
  })
})
