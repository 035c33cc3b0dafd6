/**
 * Messages for offline users. `store` resolves only once the message is committed; concurrent stores are
 * group-committed (one transaction per batch) so the OK after an offline MSG always means "durable" without
 * paying one commit per message. Catch-up pages through a user's messages oldest first and deletes exactly
 * the rows whose RECIV frames were written to the socket.
 */
import type { SqlError } from "@effect/sql/SqlError"
import { Chunk, Deferred, Effect, Queue } from "effect"
import { MessagesRepo, type NewMessage, type StoredMessage } from "../storage/MessagesRepo.js"

interface Pending {
  readonly message: NewMessage
  readonly committed: Deferred.Deferred<void, SqlError>
}

/** Most messages committed in one transaction. */
const MAX_BATCH = 256

export class OfflineMessages extends Effect.Service<OfflineMessages>()("server/OfflineMessages", {
  scoped: Effect.gen(function*() {
    const repo = yield* MessagesRepo
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Pending>(), Queue.shutdown)

    const commitBatch = (batch: ReadonlyArray<Pending>) =>
      repo.insertBatch(batch.map((p) => p.message)).pipe(
        Effect.exit,
        Effect.flatMap((exit) => Effect.forEach(batch, (p) => Deferred.done(p.committed, exit), { discard: true }))
      )

    yield* Effect.forkScoped(Effect.forever(
      Effect.flatMap(Queue.takeBetween(queue, 1, MAX_BATCH), (batch) => commitBatch(Chunk.toReadonlyArray(batch)))
    ))

    /** Stores a message durably; succeeds once its transaction committed. */
    const store = Effect.fn("OfflineMessages.store")(function*(message: NewMessage) {
      const committed = yield* Deferred.make<void, SqlError>()
      yield* Queue.offer(queue, { message, committed })
      yield* Deferred.await(committed)
    })

    /**
     * Delivers every stored message of `dst` through `deliver` (which resolves once the frames were written),
     * page by page; each page is deleted by row id after it was written. Returns how many were delivered.
     */
    const drain = <E, R>(
      dst: number,
      pageSize: number,
      deliver: (page: ReadonlyArray<StoredMessage>) => Effect.Effect<void, E, R>
    ): Effect.Effect<number, E | SqlError, R> =>
      Effect.gen(function*() {
        let afterId = 0
        let delivered = 0
        while (true) {
          const page = yield* repo.page(dst, afterId, pageSize)
          if (page.length === 0) return delivered
          // written then deleted as one step: an interruption (server stop) between the two would
          // deliver the page again at the next catch-up
          yield* Effect.uninterruptible(
            Effect.zipRight(deliver(page), repo.deleteIds(page.map((m) => m.id)))
          )
          delivered += page.length
          afterId = page[page.length - 1].id
          if (page.length < pageSize) return delivered
        }
      })

    return { store, drain, peek: (dst: number) => repo.page(dst, 0, 1) } as const
  }),
  dependencies: [MessagesRepo.Default]
}) {}
