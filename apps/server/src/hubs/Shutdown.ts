/**
 * When the server stops: at a time scheduled by ADMIN_SHTDWN (a later schedule replaces an earlier one),
 * or at once on a signal / `requestStop`. The server program waits on `stopped` and then closes its scope,
 * which stops accepting, tells connected users, flushes their queues and closes the database.
 */
import { Deferred, Effect, FiberHandle } from "effect"

/** The longest single timer the runtime can set. */
const MAX_TIMER_MS = 2 ** 31 - 1

export class Shutdown extends Effect.Service<Shutdown>()("server/Shutdown", {
  scoped: Effect.gen(function*() {
    const stopped = yield* Deferred.make<void>()
    const timer = yield* FiberHandle.make()
    let scheduledAt: number | undefined = undefined

    /** Stops the server at `atMs` (epoch milliseconds), replacing any earlier schedule. */
    const schedule = Effect.fn("Shutdown.schedule")(function*(atMs: number) {
      scheduledAt = atMs
      yield* Effect.logWarning("shutdown scheduled").pipe(Effect.annotateLogs({ at: new Date(atMs).toISOString() }))
      yield* FiberHandle.run(
        timer,
        // in steps: a single timer longer than ~24.8 days would never fire
        Effect.suspend(() => Effect.sleep(Math.min(Math.max(0, atMs - Date.now()), MAX_TIMER_MS))).pipe(
          Effect.repeat({ until: () => Date.now() >= atMs }),
          Effect.andThen(Deferred.succeed(stopped, undefined))
        )
      )
    })

    return {
      schedule,
      /** Stop now. */
      requestStop: Deferred.succeed(stopped, undefined).pipe(Effect.asVoid),
      /** Completes when the server should stop. */
      stopped: Deferred.await(stopped),
      /** The scheduled stop time, if ADMIN_SHTDWN set one. */
      scheduledAt: (): number | undefined => scheduledAt
    } as const
  })
}) {}
