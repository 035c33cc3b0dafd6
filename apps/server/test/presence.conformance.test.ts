/**
 * One conformance suite for every `Presence` layer: what handlers rely on, whichever engine carries it.
 * Each layer is built over its own `LocalEndpoints` with endpoints that record what they were sent.
 */
import { generateKeyPairSync } from "node:crypto"
import { HookType } from "@gochat/protocol"
import { Deferred, Effect, Fiber, Layer, Redacted, Stream } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startRedis, type RunningRedis } from "../../../test-support/redis.js"
import { redisPresenceLayer } from "../src/cluster/RedisPresence.js"
import { hookFrameOf } from "../src/hubs/Hooks.js"
import { TokenBucket } from "../src/hubs/Limits.js"
import { type Endpoint, LocalEndpoints, type OnlineUser } from "../src/hubs/LocalEndpoints.js"
import { Presence } from "../src/hubs/Presence.js"

/** Any public key: Presence never looks inside it. */
const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 })

export interface RecordingEndpoint extends Endpoint {
  readonly frames: Array<Uint8Array>
}

let nextId = 1
export const recordingEndpoint = (): RecordingEndpoint => {
  const frames: Array<Uint8Array> = []
  return {
    id: nextId++,
    secure: false,
    ip: "127.0.0.1",
    user: undefined,
    hooks: new Set(),
    accepting: true,
    frames,
    send: (frame) => void frames.push(frame),
    close: () => {}
  }
}

export const onlineUser = (name: string, permission = 0, id = 1): OnlineUser => ({
  id,
  name,
  nameBytes: Buffer.from(name),
  permission,
  publicKey,
  msgBucket: new TokenBucket(1, 1, 0),
  offlineBucket: new TokenBucket(1, 1, 0)
})

/** A layer under test: Presence and the LocalEndpoints it binds names in. */
export type PresenceUnderTest = Layer.Layer<Presence | LocalEndpoints>

export const presenceConformance = (name: string, layer: () => PresenceUnderTest) =>
  describe(`Presence conformance: ${name}`, () => {
    const run = <A>(body: Effect.Effect<A, never, Presence | LocalEndpoints>) =>
      Effect.runPromise(body.pipe(Effect.provide(layer()), Effect.scoped))

    it("claim: one session per name; release frees it; locate and onlineUsers follow", () =>
      run(Effect.gen(function*() {
        const presence = yield* Presence
        const local = yield* LocalEndpoints
        const a = recordingEndpoint()
        const b = recordingEndpoint()
        local.register(a)
        local.register(b)
        expect(yield* presence.claim(a, onlineUser("zed", 1))).toBe(true)
        expect(yield* presence.claim(b, onlineUser("zed", 1))).toBe(false)
        expect(b.user).toBeUndefined()
        expect(yield* presence.claim(b, onlineUser("amy", 0, 2))).toBe(true)
        expect(presence.locate("zed")).toMatchObject({ name: "zed", permission: 1 })
        expect(presence.onlineUsers().map((u) => [u.name, u.permission])).toEqual([["amy", 0], ["zed", 1]])
        // users of this instance are not remote: the hot path reaches them through LocalEndpoints
        expect(presence.remote("zed")).toBeUndefined()
        expect((yield* presence.release(a))?.name).toBe("zed")
        expect(yield* presence.release(a)).toBeUndefined()
        expect(presence.locate("zed")).toBeUndefined()
        const c = recordingEndpoint()
        local.register(c)
        expect(yield* presence.claim(c, onlineUser("zed", 1))).toBe(true)
      })))

    it("claim under a race: of many concurrent claims of one name exactly one wins", () =>
      run(Effect.gen(function*() {
        const presence = yield* Presence
        const local = yield* LocalEndpoints
        const endpoints = Array.from({ length: 8 }, recordingEndpoint)
        for (const e of endpoints) local.register(e)
        const won = yield* Effect.forEach(endpoints, (e) => presence.claim(e, onlineUser("race")), { concurrency: "unbounded" })
        expect(won.filter(Boolean)).toHaveLength(1)
      })))

    it("deliver: to an online user's connection; false for one who is not online", () =>
      run(Effect.gen(function*() {
        const presence = yield* Presence
        const local = yield* LocalEndpoints
        const a = recordingEndpoint()
        local.register(a)
        yield* presence.claim(a, onlineUser("bob"))
        expect(yield* presence.deliver("bob", Uint8Array.of(1, 2, 3))).toBe(true)
        expect(yield* presence.deliver("nobody", Uint8Array.of(4))).toBe(false)
        expect(a.frames).toEqual([Uint8Array.of(1, 2, 3)])
      })))

    it("publish: hook events reach subscribed connections only; DUPSESS only the name's holder", () =>
      run(Effect.gen(function*() {
        const presence = yield* Presence
        const local = yield* LocalEndpoints
        const [holder, watcher, other] = [recordingEndpoint(), recordingEndpoint(), recordingEndpoint()]
        for (const e of [holder, watcher, other]) local.register(e)
        yield* presence.claim(holder, onlineUser("held"))
        holder.hooks.add(HookType.DUPSESS)
        watcher.hooks.add(HookType.NEWLOGIN)
        watcher.hooks.add(HookType.DUPSESS)
        // as SUB does: the connection is offered hook events from now on
        local.listening(holder)
        local.listening(watcher)
        const login = { _tag: "NewLogin", name: "cat", permission: 2 } as const
        const dup = { _tag: "DupSess", name: "held", ip: "10.0.0.9" } as const
        presence.publish(login)
        presence.publish(dup)
        yield* eventually(() => watcher.frames.length === 1 && holder.frames.length === 1)
        expect(watcher.frames).toEqual([hookFrameOf(login)])
        expect(holder.frames).toEqual([hookFrameOf(dup)])
        expect(other.frames).toEqual([])
      })))

    it("command: arrives on the inbound stream; resolves once the consumer applied it", () =>
      run(Effect.gen(function*() {
        const presence = yield* Presence
        const seen: Array<string> = []
        const consumer = yield* Effect.fork(Stream.runForEach(presence.inbound, (inbound) =>
          Effect.suspend(() => {
            seen.push(inbound.command._tag)
            return inbound.applied === undefined ? Effect.void : Deferred.succeed(inbound.applied, undefined)
          })))
        yield* presence.command({ _tag: "MotdChanged", text: "héllo 👋🏽" })
        expect(seen).toEqual(["MotdChanged"])
        yield* presence.command({ _tag: "AccountChanged", name: "bob" })
        expect(seen).toEqual(["MotdChanged", "AccountChanged"])
        yield* Fiber.interrupt(consumer)
      })))
  })

/** Waits (bounded) until `condition` holds: deliveries of a distributed layer arrive asynchronously. */
export const eventually = (condition: () => boolean, timeoutMs = 5000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep(5)
    }
  })

presenceConformance("Memory", () => Presence.Memory.pipe(Layer.provideMerge(LocalEndpoints.Default)))

let redis: RunningRedis
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(() => redis?.stop())

/** A cluster instance's settings over the test's Redis. */
export const clusterSettings = (url: string) => ({ redisUrl: Redacted.make(url), leaseMs: 3000, forwardTimeoutMs: 5000 })

presenceConformance("Redis", () =>
  redisPresenceLayer(clusterSettings(redis.url)).pipe(Layer.orDie, Layer.provideMerge(LocalEndpoints.Default)))
