/**
 * What the abuse limits (config/Limits.ts) share: the token bucket they count with, buckets kept per
 * user and per address, and the log line a limit writes when it triggers, once per limit and
 * LOG_EVERY_MS with how often it triggered meanwhile (never once per packet).
 *
 * A `TokenBucket` is plain integer arithmetic in thousandths of a token, refilled from the time the
 * caller passes (the connection's read time on the hot path: no clock read, no allocation per packet).
 */
import { Effect, Runtime, Schedule } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
import type { LimitName } from "../config/Limits.js"

/** A limit that triggered is logged at most once per this interval (with the count since the last line). */
export const LOG_EVERY_MS = 60_000

/** Per-key buckets kept at most (beyond, full ones are dropped first, then all: a fresh bucket is full). */
const MAX_BUCKETS = 100_000

const MILLI = 1000

export class TokenBucket {
  /** thousandths of a token */
  private tokens: number
  private at: number

  constructor(
    /** whole tokens the bucket holds when full */
    private readonly burst: number,
    /** thousandths of a token added per millisecond (= tokens per second) */
    private readonly perMs: number,
    now: number
  ) {
    this.tokens = burst * MILLI
    this.at = now
  }

  /** Takes one token if there is one; `now` in milliseconds (any monotonic-enough clock). */
  take(now: number): boolean {
    const elapsed = now - this.at
    if (elapsed > 0) {
      const full = this.burst * MILLI
      const tokens = this.tokens + elapsed * this.perMs
      this.tokens = tokens > full ? full : tokens
      this.at = now
    }
    if (this.tokens < MILLI) return false
    this.tokens -= MILLI
    return true
  }

  /** Whether a token could be taken at `now` (nothing is taken). */
  has(now: number): boolean {
    const elapsed = now - this.at
    return this.tokens + (elapsed > 0 ? elapsed * this.perMs : 0) >= MILLI
  }

  /** Full again by `now` (nothing to remember about its owner). */
  fullAt(now: number): boolean {
    return this.tokens + (now - this.at) * this.perMs >= this.burst * MILLI
  }
}

/** A rate as (burst, tokens per second); `perMinute` rates are converted. */
export interface Rate {
  readonly burst: number
  readonly perSecond: number
}

/** Buckets by key (user id, address), created full on first use, bounded in number. */
export class BucketMap<K> {
  private readonly buckets = new Map<K, TokenBucket>()
  constructor(private readonly rate: Rate) {}

  get(key: K, now: number): TokenBucket {
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now, true)
      bucket = new TokenBucket(this.rate.burst, this.rate.perSecond, now)
      this.buckets.set(key, bucket)
    }
    return bucket
  }

  take(key: K, now: number): boolean {
    return this.get(key, now).take(now)
  }

  /** Whether `key` could take a token at `now` (no bucket is created: a missing one is full). */
  has(key: K, now: number): boolean {
    return this.buckets.get(key)?.has(now) ?? true
  }

  /** Drops buckets that are full again (they would be created the same); `all` if still too many. */
  prune(now: number, all = false): void {
    for (const [key, bucket] of this.buckets) if (bucket.fullAt(now)) this.buckets.delete(key)
    if (all && this.buckets.size >= MAX_BUCKETS) this.buckets.clear()
  }

  get size(): number {
    return this.buckets.size
  }
}

export class Limits extends Effect.Service<Limits>()("server/Limits", {
  scoped: Effect.gen(function*() {
    const config = yield* ServerConfig
    const l = config.limits
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const perMinute = (n: number) => n / 60

    /** MSG per user (relay and stores), stored MSG per user, REG per address, auth failures per address. */
    const msgBuckets = new BucketMap<number>({ burst: l.msgBurst, perSecond: l.msgPerSecond })
    const offlineBuckets = new BucketMap<number>({ burst: l.offlineBurst, perSecond: l.offlinePerSecond })
    const regBuckets = new BucketMap<string>({ burst: l.regBurst, perSecond: perMinute(l.regPerMinute) })
    const authFailureBuckets = new BucketMap<string>({ burst: l.authFailureBurst, perSecond: perMinute(l.authFailuresPerMinute) })

    /** When a HOOK_DUPSESS was last published, by name and attempting address. */
    const dupSessSent = new Map<string, number>()
    const dupSessEvery = l.dupSessHookIntervalMs

    /**
     * Whether a HOOK_DUPSESS for `name` about a LOGIN from `ip` is due (and then it counts as sent): at most
     * one per name and address every `dupsess_hook_interval_ms`, so a flood of LOGINs for an online user
     * cannot flood the user with hooks.
     */
    const dupSessDue = (name: string, ip: string): boolean => {
      if (dupSessEvery === 0) return true
      const now = Date.now()
      const key = `${name} ${ip}`
      const last = dupSessSent.get(key)
      if (last !== undefined && now - last < dupSessEvery) {
        triggered("dupSessHookIntervalMs", ip)
        return false
      }
      if (dupSessSent.size >= MAX_BUCKETS) dupSessSent.clear()
      dupSessSent.set(key, now)
      return true
    }

    yield* Effect.forkScoped(Effect.repeat(
      Effect.sync(() => {
        const now = Date.now()
        for (const map of [msgBuckets, offlineBuckets, regBuckets, authFailureBuckets]) map.prune(now)
        for (const [key, at] of dupSessSent) if (now - at >= dupSessEvery) dupSessSent.delete(key)
      }),
      Schedule.spaced(LOG_EVERY_MS)
    ))

    const lastLogged = new Map<LimitName, { at: number; suppressed: number }>()

    /** A limit refused something: logged now if it was not in the last LOG_EVERY_MS, else counted. */
    const triggered = (limit: LimitName, who: string): void => {
      const now = Date.now()
      const last = lastLogged.get(limit)
      if (last !== undefined && now - last.at < LOG_EVERY_MS) {
        last.suppressed++
        return
      }
      const suppressed = last?.suppressed ?? 0
      lastLogged.set(limit, { at: now, suppressed: 0 })
      runFork(Effect.logWarning("limit reached").pipe(
        Effect.annotateLogs({ limit, value: l[limit], by: who, ...(suppressed > 0 ? { "more since last line": suppressed } : {}) })
      ))
    }

    return { msgBuckets, offlineBuckets, regBuckets, authFailureBuckets, triggered, dupSessDue } as const
  })
}) {}
