/**
 * Messages for offline users.
 *
 * Storing: `enqueue` hands a message to the group-commit writer and calls back once its INSERT committed
 * (or failed): the OK after an offline MSG always means "durable". Plain code on purpose (no span, no
 * Deferred per message): everything enqueued during one event-loop turn (e.g. a sender's whole window of
 * pipelined MSGs) is committed together from a `setImmediate`, one multi-row INSERT of at most MAX_BATCH;
 * messages enqueued while a commit is in flight go in the next one. A failed commit fails exactly the
 * messages of that batch.
 *
 * Catch-up (`drain`) pages through a user's messages oldest first, writes them to a `CatchUpSink` in
 * chunks of bounded size, and deletes, in one transaction at the end, exactly the rows whose frames the OS
 * took (also when the connection died midway).
 */
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Data, Effect, Exit, Fiber, Option, Runtime } from "effect"
import { MessagesRepo, type NewMessage, type StoredMessage } from "../storage/MessagesRepo.js"

/** Called once with undefined when the message is committed, or with the error of its batch. */
export type Committed = (error: SqlError | undefined) => void

/** Most messages committed in one INSERT. */
const MAX_BATCH = 256
/** Delivered rows deleted at the latest after this many (one transaction per catch-up up to this size). */
const DELETE_EVERY = 8192
/** Rows of a catch-up's first query (small: it decides the OK); every later query reads PAGE rows. */
const FIRST_PAGE = 256
const PAGE = 1024
/** Ciphertext bytes (plus 64 per frame) of one chunk handed to the connection. */
const CHUNK_BYTES = 256 * 1024
/** Most chunk bytes handed to the connection and not yet taken by the OS (bounds a catch-up's buffering). */
const MAX_UNCONFIRMED = 1024 * 1024

/** Where a catch-up writes: the recipient's connection. */
export interface CatchUpSink {
  /**
   * Queues the RECIV frames of `chunk`; `written` is called exactly once, when the OS took them or when
   * they can no longer be written (with the error), in the order of the calls to `write`.
   */
  readonly write: (chunk: ReadonlyArray<StoredMessage>, written: (error?: Error) => void) => void
}

/** A catch-up that stopped because its connection could not take more (what was written is deleted). */
export class CatchUpStopped extends Data.TaggedError("CatchUpStopped")<{ readonly reason: string }> {}

export class OfflineMessages extends Effect.Service<OfflineMessages>()("server/OfflineMessages", {
  scoped: Effect.gen(function*() {
    const repo = yield* MessagesRepo
    const runtime = yield* Effect.runtime<never>()
    const runCallback = Runtime.runCallback(runtime)

    let messages: Array<NewMessage> = []
    let callbacks: Array<Committed> = []
    let scheduled = false
    let running = false
    let idleWaiters: Array<() => void> = []

    const commitNext = (): void => {
      scheduled = false
      if (running) return
      if (messages.length === 0) {
        if (idleWaiters.length > 0) for (const w of idleWaiters.splice(0)) w()
        return
      }
      let batch: Array<NewMessage>
      let waiting: Array<Committed>
      if (messages.length <= MAX_BATCH) {
        batch = messages
        waiting = callbacks
        messages = []
        callbacks = []
      } else {
        batch = messages.splice(0, MAX_BATCH)
        waiting = callbacks.splice(0, MAX_BATCH)
      }
      running = true
      runCallback(repo.insertBatch(batch), {
        onExit: (exit) => {
          running = false
          let error: SqlError | undefined = undefined
          if (Exit.isFailure(exit)) {
            error = Option.getOrElse(
              Cause.failureOption(exit.cause),
              () => new SqlError({ message: "offline store failed", cause: Cause.squash(exit.cause) })
            )
            runCallback(Effect.logError("offline store: commit failed", String(exit.cause)))
          }
          for (let i = 0; i < waiting.length; i++) {
            try {
              waiting[i](error)
            } catch (defect) {
              runCallback(Effect.logError("offline store: reply callback failed", String(defect)))
            }
          }
          // the rest (and what arrives meanwhile) from the next turn, so replies get flushed in between
          scheduled = true
          setImmediate(commitNext)
        }
      })
    }

    /** Queues a message for the next group commit; `committed` is called once, after the commit. */
    const enqueue = (message: NewMessage, committed: Committed): void => {
      messages.push(message)
      callbacks.push(committed)
      if (!scheduled && !running) {
        scheduled = true
        setImmediate(commitNext)
      }
    }

    /** Stores a message durably; succeeds once its batch committed. */
    const store = (message: NewMessage): Effect.Effect<void, SqlError> =>
      Effect.async<void, SqlError>((resume) => {
        enqueue(message, (error) => resume(error === undefined ? Effect.void : Effect.fail(error)))
      })

    /** Resolves once nothing is queued or being committed. */
    const awaitIdle: Effect.Effect<void> = Effect.async<void>((resume) => {
      if (!running && !scheduled && messages.length === 0) return resume(Effect.void)
      idleWaiters.push(() => resume(Effect.void))
    })

    // the graceful stop: whatever was accepted is committed (and answered) before the database closes
    yield* Effect.addFinalizer(() => awaitIdle)

    /**
     * Delivers every stored message of `dst` to `sink`, oldest first, in chunks of at most CHUNK_BYTES of
     * ciphertext. Pages are read FIRST_PAGE rows first, then PAGE rows, each page while the previous one is
     * being written; writing goes on while earlier chunks are still on their
     * way to the OS, up to MAX_UNCONFIRMED bytes. The rows whose frames the OS took are deleted by id in one
     * transaction at the end (or every DELETE_EVERY rows for a huge mailbox), also when delivery stopped
     * midway (then it fails with CatchUpStopped after the delete). `first`: the first page, if the caller
     * already read it with `firstPage`. Returns how many were delivered.
     */
    const drain = (
      dst: number,
      sink: CatchUpSink,
      first?: ReadonlyArray<StoredMessage>
    ): Effect.Effect<number, CatchUpStopped | SqlError> =>
      Effect.uninterruptibleMask((restore) => {
        let confirmed: Array<number> = []
        let total = 0
        let unconfirmedBytes = 0
        let outstanding = 0
        let failure: Error | undefined
        let wake: (() => void) | undefined

        const write = (chunk: ReadonlyArray<StoredMessage>, bytes: number): void => {
          outstanding++
          unconfirmedBytes += bytes
          sink.write(chunk, (error) => {
            outstanding--
            unconfirmedBytes -= bytes
            if (error !== undefined) failure ??= error
            else {
              for (const m of chunk) confirmed.push(m.id)
              total += chunk.length
            }
            const w = wake
            wake = undefined
            w?.()
          })
        }
        // not interruptible: afterwards we know which writes happened (the sink calls back in every case)
        const waitUntil = (done: () => boolean) =>
          Effect.async<void>((resume) => {
            const check = () => {
              if (done()) resume(Effect.void)
              else wake = check
            }
            check()
          })
        const writePage = (page: ReadonlyArray<StoredMessage>) =>
          Effect.gen(function*() {
            let start = 0
            let bytes = 0
            for (let i = 0; i < page.length && failure === undefined; i++) {
              bytes += page[i].ciphertext.length + 64
              if (bytes >= CHUNK_BYTES || i === page.length - 1) {
                write(page.slice(start, i + 1), bytes)
                start = i + 1
                bytes = 0
                if (unconfirmedBytes > MAX_UNCONFIRMED) {
                  yield* waitUntil(() => failure !== undefined || unconfirmedBytes <= MAX_UNCONFIRMED)
                }
              }
            }
          })
        const loop = Effect.gen(function*() {
          let size = FIRST_PAGE
          let page = first ?? (yield* restore(repo.page(dst, 0, size)))
          while (page.length > 0 && failure === undefined) {
            // a full page: read the next one while this one is written
            const next = page.length < size
              ? undefined
              : yield* Effect.fork(restore(repo.page(dst, page[page.length - 1].id, size = PAGE)))
            yield* writePage(page)
            // a huge mailbox: bound what a crash before the final delete would deliver twice
            if (confirmed.length >= DELETE_EVERY) {
              const ids = confirmed
              confirmed = []
              yield* repo.deleteIds(dst, ids)
            }
            if (next === undefined) return
            page = yield* Fiber.join(next)
          }
        })
        return Effect.flatMap(Effect.exit(loop), (exit) =>
          waitUntil(() => outstanding === 0).pipe(
            Effect.zipRight(Effect.suspend(() => repo.deleteIds(dst, confirmed))),
            Effect.zipRight(
              Effect.suspend((): Effect.Effect<number, CatchUpStopped | SqlError> =>
                Exit.isFailure(exit)
                  ? Effect.failCause(exit.cause)
                  : failure !== undefined
                  ? Effect.fail(new CatchUpStopped({ reason: failure.message }))
                  : Effect.succeed(total)
              )
            )
          ))
      })

    return {
      enqueue,
      store,
      drain,
      awaitIdle,
      /** The first page of `dst`'s catch-up (to hand to `drain`; empty: nothing stored). */
      firstPage: (dst: number) => repo.page(dst, 0, FIRST_PAGE)
    } as const
  }),
  dependencies: [MessagesRepo.Default]
}) {}
