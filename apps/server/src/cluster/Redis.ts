/**
 * The connection to Redis of a clustered instance, as a scoped resource: one client for commands and one
 * for pub/sub (a subscribed Redis connection can issue nothing else), both connected before the layer is
 * built (a Redis that cannot be reached stops the start with one line), both closed with the scope.
 *
 * ioredis reconnects by itself (growing delays up to one second) and resubscribes. Commands are not
 * queued while the connection is down (`enableOfflineQueue: false`): they fail at once, so a
 * cross-instance message that cannot be published is stored offline instead of waiting. State changes are
 * logged once each (down, back up), never per command; `onReady` callbacks run after every reconnection
 * (the presence layer re-asserts what Redis may have lost).
 */
import { Redis as IORedis, type RedisOptions } from "ioredis"
import { Data, Effect, Redacted, Runtime } from "effect"
import { describeRedis } from "../config/ServerConfig.js"

export class RedisUnavailable extends Data.TaggedError("RedisUnavailable")<{ readonly message: string }> {}

export interface RedisConnection {
  readonly commands: IORedis
  readonly subscriber: IORedis
  /** true while the command connection is ready */
  readonly isUp: () => boolean
  /** runs `f` after every reconnection of the command connection (not the first connection) */
  readonly onReady: (f: () => void) => void
  /** logs `message` at warning level once, until the connection is back up */
  readonly trouble: (what: string, message: string) => void
}

const CONNECT_TIMEOUT_MS = 10_000

const options = (name: string): RedisOptions => ({
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: CONNECT_TIMEOUT_MS,
  connectionName: name,
  retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1000)
})

/** Connects both clients to `url`; releasing the scope closes them. */
export const connectRedis = (url: Redacted.Redacted<string>, instance: string) =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<never>()
    const log = (effect: Effect.Effect<void>) => void Runtime.runFork(runtime)(effect)
    const where = describeRedis(url)

    const acquire = (name: string) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const client = new IORedis(Redacted.value(url), options(name))
            // until it is up, a failed attempt rejects `connect`; later errors are handled by the events below
            client.on("error", () => {})
            try {
              await client.connect()
            } catch (e) {
              client.disconnect()
              throw e
            }
            return client
          },
          catch: (e) => new RedisUnavailable({ message: `cannot reach Redis at ${where} (--redis, GOCHAT_REDIS_URL, cluster.redis_url): ${e instanceof Error ? e.message : String(e)}` })
        }),
        (client) => Effect.promise(() => client.quit().then(() => undefined, () => client.disconnect()))
      )

    const commands = yield* acquire(`gochat:${instance}`)
    const subscriber = yield* acquire(`gochat:${instance}:sub`)

    let up = true
    let closing = false
    // runs before the clients are closed (finalizers run in reverse): their closing is no lost connection
    yield* Effect.addFinalizer(() => Effect.sync(() => {
      closing = true
    }))
    const reported = new Set<string>()
    const readyCallbacks: Array<() => void> = []
    const trouble = (what: string, message: string) => {
      if (reported.has(what)) return
      reported.add(what)
      log(Effect.logWarning(message).pipe(Effect.annotateLogs({ redis: where })))
    }
    const lost = () => {
      if (!up || closing) return
      up = false
      trouble("connection", "Redis connection lost: reconnecting; local delivery goes on, messages for other instances are stored offline meanwhile")
    }
    commands.on("close", lost)
    commands.on("error", (e: Error) => trouble("error", `Redis error: ${e.message}`))
    commands.on("ready", () => {
      if (up) return
      up = true
      reported.clear()
      log(Effect.logInfo("Redis connection is back").pipe(Effect.annotateLogs({ redis: where })))
      for (const f of readyCallbacks) f()
    })

    return {
      commands,
      subscriber,
      isUp: () => up,
      onReady: (f) => void readyCallbacks.push(f),
      trouble
    } satisfies RedisConnection
  })
