/**
 * The one consumer of `Presence.inbound`: applies, on this instance, the commands issued anywhere in the
 * service (ending a session held here, a level change, a stale account, a new MOTD, a scheduled shutdown).
 * A scoped fiber: it stops with the server.
 */
import { Deferred, Effect, Stream } from "effect"
import { shtdwnFrame } from "../server/frames.js"
import { UserCache } from "../storage/UserCache.js"
import { LocalEndpoints } from "./LocalEndpoints.js"
import { Motd } from "./Motd.js"
import { type Inbound, Presence, type ServiceCommand } from "./Presence.js"
import { Sessions } from "./Sessions.js"
import { Shutdown } from "./Shutdown.js"

export class ServiceCommands extends Effect.Service<ServiceCommands>()("server/ServiceCommands", {
  scoped: Effect.gen(function*() {
    const presence = yield* Presence
    const local = yield* LocalEndpoints
    const sessions = yield* Sessions
    const userCache = yield* UserCache
    const motd = yield* Motd
    const shutdown = yield* Shutdown

    const apply = (command: ServiceCommand): Effect.Effect<void> => {
      switch (command._tag) {
        case "EndSession": {
          const target = local.find(command.name)
          if (target === undefined) return Effect.void
          return Effect.zipRight(
            sessions.logout(target, { dropToken: true }),
            Effect.sync(() => target.close(command.reason))
          )
        }
        case "SetPermission":
          return Effect.sync(() => {
            const user = local.find(command.name)?.user
            if (user !== undefined) user.permission = command.permission
          })
        case "AccountChanged":
          return Effect.sync(() => userCache.invalidate(command.name))
        case "MotdChanged":
          return Effect.sync(() => motd.use(command.text))
        case "ShutdownScheduled":
          return Effect.zipRight(
            shutdown.schedule(command.atMs),
            Effect.sync(() => local.broadcast(shtdwnFrame(Uint8Array.from(command.stamp))))
          )
      }
    }

    const consume = (inbound: Inbound) =>
      apply(inbound.command).pipe(
        Effect.catchAllCause((cause) => Effect.logError("service command failed", inbound.command._tag, cause)),
        Effect.ensuring(inbound.applied === undefined ? Effect.void : Deferred.succeed(inbound.applied, undefined))
      )

    yield* Effect.forkScoped(Stream.runForEach(presence.inbound, consume))
    return {} as const
  })
}) {}
