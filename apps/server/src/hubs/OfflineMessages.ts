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
 *
 * Quotas (`mailbox_max_messages`, `mailbox_max_bytes`): each recipient's stored count and ciphertext bytes
 * are kept in memory, read once at start-up with one aggregate query, raised when a message is accepted
 * (before its commit, so a pipelined flood cannot overshoot) and lowered when a commit fails, a catch-up
 * deletes what it delivered, or the expiry deletes old rows. `fits` answers from memory (the hot path);
 * a message that does not fit goes to `admit`, which first re-reads the recipient's mailbox from the
 * database (the operator's `clearcache` runs in another process) and refuses only if it is still full;
 * such re-reads are bounded by the senders' `offline_per_second` buckets, taken before. Nothing already
 * stored is ever dropped by a quota.
 *
 * Expiry (`message_ttl_ms`, 0 = off): a background fiber deletes stored messages older than the TTL in
 * passes of at most EXPIRE_BATCH rows, oldest ids first (ids grow with the store time), pausing between
 * passes; a message being delivered while it expires is still delivered.
 */
import { SqlError } from "@effect/sql/SqlError"
import { Cause, Data, Effect, Exit, Fiber, Option, Runtime, Schedule } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
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

/** Most stored messages one expiry pass deletes. */
export const EXPIRE_BATCH = 1000
/** How often the expiry looks for old messages (and at most the TTL). */
const EXPIRE_EVERY_MS = 60_000

interface Mailbox {
  /** stored (committed) messages and their ciphertext bytes, as far as this server knows */
  count: number
  bytes: number
  /** accepted, not yet committed */
  pendingCount: number
  pendingBytes: number
}

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
    const { limits } = yield* ServerConfig
    const runtime = yield* Effect.runtime<never>()
    const runCallback = Runtime.runCallback(runtime)

    // -------------------------------------------------------------------------------------------
    // Mailbox sizes

    const mailboxes = new Map<number, Mailbox>()
    for (const [dst, size] of yield* repo.mailboxSizes) {
      mailboxes.set(dst, { count: size.count, bytes: size.bytes, pendingCount: 0, pendingBytes: 0 })
    }
    const mailbox = (dst: number): Mailbox => {
      let box = mailboxes.get(dst)
      if (box === undefined) mailboxes.set(dst, box = { count: 0, bytes: 0, pendingCount: 0, pendingBytes: 0 })
      return box
    }
    /** Stored rows of `dst` are gone (delivered, expired): its mailbox shrinks (never below empty). */
    const removed = (dst: number, count: number, bytes: number): void => {
      const box = mailboxes.get(dst)
      if (box === undefined) return
      box.count = Math.max(0, box.count - count)
      box.bytes = Math.max(0, box.bytes - bytes)
      if (box.count === 0 && box.pendingCount === 0) mailboxes.delete(dst)
    }

    /** Whether one more message of `bytes` fits in `dst`'s mailbox, as this server counts (no I/O). */
    const fits = (dst: number, bytes: number): boolean => {
      const box = mailboxes.get(dst)
      if (box === undefined) return 1 <= limits.mailboxMaxMessages && bytes <= limits.mailboxMaxBytes
      return box.count + box.pendingCount + 1 <= limits.mailboxMaxMessages &&
        box.bytes + box.pendingBytes + bytes <= limits.mailboxMaxBytes
    }

    /** Whether a message of `bytes` may be stored for `dst`: `fits`, or else the mailbox as stored now has room. */
    const admit = (dst: number, bytes: number): Effect.Effect<boolean, SqlError> =>
      Effect.suspend(() => {
        if (fits(dst, bytes)) return Effect.succeed(true)
        return Effect.map(repo.mailboxSize(dst), (size) => {
          const box = mailbox(dst)
          box.count = size.count
          box.bytes = size.bytes
          return fits(dst, bytes)
        })
      })

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
          const failed = Exit.isFailure(exit)
          for (let i = 0; i < batch.length; i++) {
            const m = batch[i]
            const box = mailbox(m.dst)
            box.pendingCount--
            box.pendingBytes -= m.ciphertext.length
            if (!failed) {
              box.count++
              box.bytes += m.ciphertext.length
            } else if (box.count === 0 && box.pendingCount === 0) mailboxes.delete(m.dst)
          }
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
      const box = mailbox(message.dst)
      box.pendingCount++
      box.pendingBytes += message.ciphertext.length
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
        let confirmedBytes = 0
        let total = 0
        const remove = (ids: ReadonlyArray<number>, bytes: number) =>
          Effect.tap(repo.deleteIds(dst, ids), () => removed(dst, ids.length, bytes))
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
              for (const m of chunk) {
                confirmed.push(m.id)
                confirmedBytes += m.ciphertext.length
              }
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
              const bytes = confirmedBytes
              confirmed = []
              confirmedBytes = 0
              yield* remove(ids, bytes)
            }
            if (next === undefined) return
            page = yield* Fiber.join(next)
          }
        })
        return Effect.flatMap(Effect.exit(loop), (exit) =>
          waitUntil(() => outstanding === 0).pipe(
            Effect.zipRight(Effect.suspend(() => remove(confirmed, confirmedBytes))),
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

    // -------------------------------------------------------------------------------------------
    // Expiry

    /** One pass: deletes expired messages among the EXPIRE_BATCH oldest; true if there may be more. */
    const expirePass = (ttl: number): Effect.Effect<boolean, SqlError> =>
      Effect.gen(function*() {
        const rows = yield* repo.oldest(EXPIRE_BATCH)
        const cutoff = Date.now() - ttl
        const expired = rows.filter((r) => r.createdAt <= cutoff)
        if (expired.length === 0) return false
        yield* repo.deleteRows(expired.map((r) => r.id))
        for (const r of expired) removed(r.dst, 1, r.bytes)
        yield* Effect.logInfo("expired stored messages").pipe(Effect.annotateLogs({ deleted: expired.length }))
        return rows.length === EXPIRE_BATCH && expired.length === rows.length
      })

    /** Deletes every stored message older than the TTL now, pass after pass; returns how many passes ran. */
    const expireNow = (ttl: number): Effect.Effect<number, SqlError> =>
      Effect.gen(function*() {
        let passes = 1
        while (yield* expirePass(ttl)) {
          passes++
          // between passes the database serves everyone else
          yield* Effect.sleep(10)
        }
        return passes
      })

    const ttl = limits.messageTtlMs
    if (ttl > 0) {
      yield* Effect.forkScoped(Effect.repeat(
        expireNow(ttl).pipe(Effect.catchAll((e) => Effect.logError("expiring stored messages failed", e.message))),
        Schedule.spaced(Math.max(10, Math.min(ttl, EXPIRE_EVERY_MS)))
      ))
    }

    return {
      fits,
      admit,
      /** What this server counts in `dst`'s mailbox (stored and being stored). */
      mailboxOf: (dst: number) => {
        const box = mailboxes.get(dst)
        return box === undefined ? { count: 0, bytes: 0 } : { count: box.count + box.pendingCount, bytes: box.bytes + box.pendingBytes }
      },
      expireNow,
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
