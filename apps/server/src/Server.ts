/**
 * The server as one Layer: configuration, database (migrated), repositories, hubs, handlers, listeners.
 * Releasing it is the graceful stop (listeners first, the database last).
 *
 * The one place that picks layers: `Presence.Memory` for a single instance, or a clustered `Presence`
 * (`cluster/RedisPresence.ts`, when the settings name a Redis) when several instances form one service.
 */
import { Effect, Layer, RuntimeFlags } from "effect"
import { ServerConfig, type ServerSettings } from "./config/ServerConfig.js"
import { Limits } from "./hubs/Limits.js"
import { LocalEndpoints } from "./hubs/LocalEndpoints.js"
import { Motd } from "./hubs/Motd.js"
import { OfflineMessages } from "./hubs/OfflineMessages.js"
import { Presence } from "./hubs/Presence.js"
import { ServiceCommands } from "./hubs/ServiceCommands.js"
import { Sessions } from "./hubs/Sessions.js"
import { Shutdown } from "./hubs/Shutdown.js"
import { Tokens } from "./hubs/Tokens.js"
import { Verifications } from "./hubs/Verifications.js"
import { Handlers } from "./server/Handlers.js"
import { Listeners } from "./server/Listeners.js"
import { Relay } from "./server/Relay.js"
import { databaseLayer, migrate } from "./storage/Database.js"
import { MessagesRepo } from "./storage/MessagesRepo.js"
import { SettingsRepo } from "./storage/SettingsRepo.js"
import { UserCache } from "./storage/UserCache.js"
import { UsersRepo } from "./storage/UsersRepo.js"

/** The migrated database and the repositories over it. */
export const storageLayer = (settings: ServerSettings) =>
  Layer.mergeAll(UsersRepo.Default, MessagesRepo.Default, SettingsRepo.Default).pipe(
    Layer.provideMerge(Layer.effectDiscard(migrate)),
    Layer.provideMerge(databaseLayer(settings.database))
  )

/**
 * What the service's sessions, deliveries and tokens run on: `Presence` and `Tokens` (failing: it could not
 * start).
 */
export type PresenceLayer = Layer.Layer<
  Presence | Tokens,
  { readonly _tag: string; readonly message: string },
  LocalEndpoints | ServerConfig | OfflineMessages | UsersRepo
>

/** One process is the whole service. */
const singlePresence: PresenceLayer = Layer.merge(Presence.Memory, Tokens.Memory)

/**
 * The clustered `Presence` (cluster/RedisPresence.ts), loaded only when clustering is on: a single
 * instance never evaluates the Redis client.
 */
const clusterPresence: PresenceLayer = Layer.unwrapEffect(
  Effect.map(Effect.promise(() => import("./cluster/RedisPresence.js")), (m) => m.clusterLayer)
)

/**
 * Everything the server runs, listening once built. Tracing is off: nothing collects the spans, and each
 * one (every `Effect.fn` call, every SQL statement) cost clock reads and allocations on every request.
 * Runtime metrics are off too (Effect enables them by default): nothing reads them, and every fiber (one
 * per slow packet) updated four of them, a histogram among them, when it started and ended.
 */
export const serverLayer = (
  settings: ServerSettings,
  presence: PresenceLayer = settings.cluster === undefined ? singlePresence : clusterPresence
) =>
  Listeners.Default.pipe(
    Layer.provideMerge(Layer.mergeAll(Handlers.Default, Relay.Default, ServiceCommands.Default)),
    Layer.provideMerge(Sessions.Default),
    Layer.provideMerge(Layer.mergeAll(
      Verifications.Default,
      Motd.Default,
      Shutdown.Default
    )),
    Layer.provideMerge(presence),
    Layer.provideMerge(Layer.mergeAll(LocalEndpoints.Default, UserCache.Default, OfflineMessages.Default, Limits.Default)),
    Layer.provideMerge(storageLayer(settings)),
    Layer.provideMerge(Layer.succeed(ServerConfig, settings)),
    Layer.provide(Layer.setTracerEnabled(false)),
    Layer.provide(RuntimeFlags.disableRuntimeMetrics)
  )
