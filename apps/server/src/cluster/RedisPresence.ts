/**
 * `Presence` for one instance of a clustered service: sessions, online users, hooks, service commands and
 * cross-instance MSG delivery shared by every instance through one Redis (docs/SCALING.md).
 *
 * What lives in Redis (all keys under `gochat:`):
 * - `sessions`, a hash name → "instance TAB user id TAB level": the service's one session per user. A claim
 *   is one Lua script (set unless held by another live instance), so two logins of one user on two
 *   instances give exactly one session, however they race. Each change is published on `presence` by the
 *   same script (a new session there is NEWLOGIN on the other instances, a released one NEWLOGOUT), so every
 *   instance keeps a mirror of the others' users (what `remote`, `locate` and
 *   `onlineUsers` read synchronously) in the order Redis applied the changes.
 * - `alive:<instance>`, a key with a lease of `cluster.lease_ms`, renewed three times a lease. An instance
 *   whose lease ran out (SIGKILL, a frozen machine) is dead: its sessions no longer count for a claim, and
 *   the instance that notices removes them (so its users can log in elsewhere within one lease).
 * - channels `hooks` (DUPSESS, PERMSCHG) and `commands` (JSON), read by every instance; `inbox:<instance>`, binary batches of
 *   frames for users on that instance, and the answers to them.
 *
 * Cross-instance MSG: `forward` appends the RECIV frame to a batch for the destination instance; once per
 * event-loop turn each batch is one PUBLISH (so frames from one sender stay in order, and Redis sees one
 * command per destination per turn, not one per message). The destination queues each frame on the
 * recipient's connection and answers, per batch, which frames were delivered. A frame whose batch reached
 * nobody (the destination's subscription is down, or Redis is) or whose recipient has left is "absent": the
 * sender stores it offline and answers OK. One that got no answer within `cluster.forward_timeout_ms` is
 * "unknown": ERR_SERVER, not stored (it may have been delivered; storing it could deliver it twice).
 *
 * After Redis comes back (a restart may have emptied it) each instance renews its lease, re-claims its own
 * sessions (a user who meanwhile logged in on another instance keeps that session; the older one here ends)
 * and reloads its mirror.
 */
import { randomBytes } from "node:crypto"
import type { Redis as IORedis } from "ioredis"
import { Context, Effect, Layer, Queue, Runtime, Schedule, Stream } from "effect"
import { type ClusterSettings, describeRedis, ServerConfig } from "../config/ServerConfig.js"
import { Tokens } from "../hubs/Tokens.js"
import type { HookEvent } from "../hubs/Hooks.js"
import { LocalEndpoints } from "../hubs/LocalEndpoints.js"
import {
  applyHere,
  type ForwardOutcome,
  type Inbound,
  type OnlineEntry,
  Presence,
  type PresenceApi,
  type RemoteUser,
  type ServiceCommand,
  sortByName
} from "../hubs/Presence.js"
import { connectRedis, type RedisConnection, type RedisUnavailable } from "./Redis.js"
import { makeRedisTokens } from "./RedisTokens.js"

const PREFIX = "gochat:"
const SESSIONS = `${PREFIX}sessions`
const ALIVE = `${PREFIX}alive:`
const PRESENCE = `${PREFIX}presence`
const HOOKS = `${PREFIX}hooks`
const COMMANDS = `${PREFIX}commands`
const INBOX = `${PREFIX}inbox:`

/** Sets the session unless another live instance holds it; publishes the change. */
const CLAIM = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local inst = string.match(cur, '^[^\\t]+')
  if inst ~= ARGV[3] and redis.call('EXISTS', ARGV[4] .. inst) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PUBLISH', ARGV[5], ARGV[6] .. '\\t' .. ARGV[1] .. '\\t' .. ARGV[2])
return 1`

/** Removes the session if this instance holds it; publishes the change. */
const RELEASE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and string.match(cur, '^[^\\t]+') == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('PUBLISH', ARGV[3], 'R\\t' .. ARGV[1] .. '\\t' .. ARGV[2])
  return 1
end
return 0`

/** Replaces the session's value if this instance holds it (a level change); publishes the change. */
const UPDATE = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur and string.match(cur, '^[^\\t]+') == ARGV[3] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PUBLISH', ARGV[4], 'U\\t' .. ARGV[1] .. '\\t' .. ARGV[2])
  return 1
end
return 0`

/** Removes every session of a dead instance (unless it came back); publishes each removal. */
const BURY = `
if redis.call('EXISTS', ARGV[2] .. ARGV[1]) == 1 then return 0 end
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^[^\\t]+') == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('PUBLISH', ARGV[3], 'R\\t' .. all[i] .. '\\t' .. ARGV[1])
    n = n + 1
  end
end
return n`

type Scripts = IORedis & {
  gochatClaim(key: string, name: string, value: string, instance: string, alive: string, channel: string, kind: "C" | "A"): Promise<number>
  gochatRelease(key: string, name: string, instance: string, channel: string): Promise<number>
  gochatUpdate(key: string, name: string, value: string, instance: string, channel: string): Promise<number>
  gochatBury(key: string, instance: string, alive: string, channel: string): Promise<number>
}

const defineScripts = (client: IORedis): Scripts => {
  client.defineCommand("gochatClaim", { numberOfKeys: 1, lua: CLAIM })
  client.defineCommand("gochatRelease", { numberOfKeys: 1, lua: RELEASE })
  client.defineCommand("gochatUpdate", { numberOfKeys: 1, lua: UPDATE })
  client.defineCommand("gochatBury", { numberOfKeys: 1, lua: BURY })
  return client as Scripts
}

/** A user online on another instance, as mirrored here. */
interface Mirrored extends RemoteUser {
  readonly permission: number
  /** the name's bytes, for the inbox records (made once, not per message) */
  readonly nameBytes?: Buffer
}

const sessionValue = (instance: string, id: number, permission: number) => `${instance}\t${id}\t${permission}`

const parseSession = (name: string, value: string): Mirrored | undefined => {
  const [instance, id, permission] = value.split("\t")
  const n = Number(id)
  const p = Number(permission)
  if (!instance || !Number.isSafeInteger(n) || !Number.isInteger(p)) return undefined
  return { name, id: n, instance, permission: p, nameBytes: Buffer.from(name, "latin1") }
}

// Inbox batches: kind byte, source instance (length-prefixed), then records.
const KIND_FRAMES = 0x4d // 'M': u32 seq, u8 name length, name, u32 frame length, frame
const KIND_ANSWERS = 0x41 // 'A': u32 seq, u8 outcome (1 delivered, 0 absent)

interface Pending {
  readonly done: (outcome: ForwardOutcome) => void
  readonly deadline: number
}

interface Batch {
  readonly parts: Array<Uint8Array>
  readonly seqs: Array<number>
  bytes: number
}

/** The presence layer over an existing connection (the layer below connects first). */
export const makeRedisPresence = (redis: RedisConnection, cluster: ClusterSettings, instance: string) =>
  Effect.gen(function*() {
    const local = yield* LocalEndpoints
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runFork(runtime)
    const client = defineScripts(redis.commands)
    const queue = yield* Effect.acquireRelease(Queue.unbounded<Inbound>(), Queue.shutdown)
    const myInbox = `${INBOX}${instance}`
    const instanceBytes = Buffer.from(instance, "latin1")

    /** Users online on other instances. */
    const mirror = new Map<string, Mirrored>()
    /** Names being claimed here (a local race is decided before asking Redis). */
    const claiming = new Set<string>()
    /** Names changed by an event while a snapshot is loading: the snapshot is older for them. */
    let touchedDuringLoad: Set<string> | undefined

    const warn = (what: string, message: string) => (e: unknown) =>
      redis.trouble(what, `${message}: ${e instanceof Error ? e.message : String(e)}`)

    // ---- presence mirror ---------------------------------------------------------------------

    const onPresence = (text: string) => {
      const [kind, name, instanceOrValue, ...rest] = text.split("\t")
      if (name === undefined || instanceOrValue === undefined) return
      touchedDuringLoad?.add(name)
      if (kind === "C" || kind === "A" || kind === "U") {
        const entry = parseSession(name, [instanceOrValue, ...rest].join("\t"))
        if (entry === undefined) return
        if (entry.instance === instance) {
          mirror.delete(name)
          return
        }
        mirror.set(name, entry)
        // a new session elsewhere is NEWLOGIN here (not a re-assertion after Redis came back, not a level change)
        if (kind === "C") local.hook({ _tag: "NewLogin", name, permission: entry.permission })
      } else if (kind === "R") {
        if (instanceOrValue === instance) return
        if (mirror.get(name)?.instance === instanceOrValue) mirror.delete(name)
        local.hook({ _tag: "NewLogout", name })
      }
    }

    /** Re-reads every session: the mirror of other live instances' users; dead instances' sessions buried. */
    const loadSnapshot = Effect.tryPromise(async () => {
      touchedDuringLoad = new Set()
      try {
        const all = await client.hgetall(SESSIONS)
        const entries = Object.entries(all).flatMap(([name, value]) => {
          const e = parseSession(name, value)
          return e === undefined ? [] : [e]
        })
        const instances = [...new Set(entries.map((e) => e.instance))].filter((i) => i !== instance)
        const alive = new Set<string>()
        for (const i of instances) if ((await client.exists(`${ALIVE}${i}`)) === 1) alive.add(i)
        for (const i of instances) if (!alive.has(i)) await client.gochatBury(SESSIONS, i, ALIVE, PRESENCE)
        const touched = touchedDuringLoad
        for (const [name, entry] of mirror) if (!touched.has(name) && !alive.has(entry.instance)) mirror.delete(name)
        for (const e of entries) {
          if (touched.has(e.name) || e.instance === instance || !alive.has(e.instance)) continue
          mirror.set(e.name, e)
        }
        return entries
      } finally {
        touchedDuringLoad = undefined
      }
    })

    /** Claims again every session held here (Redis may have lost them); one held elsewhere now ends here. */
    const reassert = Effect.gen(function*() {
      const entries = yield* loadSnapshot
      for (const e of entries) {
        // held in Redis for this instance but no longer here (a release that could not reach Redis)
        if (e.instance === instance && local.find(e.name)?.user === undefined) {
          yield* Effect.tryPromise(() => client.gochatRelease(SESSIONS, e.name, instance, PRESENCE))
        }
      }
      for (const user of local.users()) {
        const won = yield* Effect.tryPromise(() =>
          client.gochatClaim(SESSIONS, user.name, sessionValue(instance, user.id, user.permission), instance, ALIVE, PRESENCE, "A"))
        if (won === 0) {
          yield* Effect.logWarning("session lost to another instance while Redis was away").pipe(Effect.annotateLogs({ user: user.name }))
          yield* Queue.offer(queue, {
            command: { _tag: "EndSession", name: user.name, reason: "logged in on another instance" },
            applied: undefined
          })
        }
      }
    })

    // ---- lease --------------------------------------------------------------------------------

    const aliveKey = `${ALIVE}${instance}`
    const renew = Effect.tryPromise(() => client.set(aliveKey, "1", "PX", cluster.leaseMs, "GET")).pipe(
      Effect.flatMap((previous) => previous === null ? reassert : Effect.void)
    )
    /** Instances whose users are mirrored here and whose lease ran out: buried, their users dropped. */
    const checkOthers = Effect.tryPromise(async () => {
      const others = new Set<string>()
      for (const e of mirror.values()) others.add(e.instance)
      for (const other of others) {
        if ((await client.exists(`${ALIVE}${other}`)) === 1) continue
        await client.gochatBury(SESSIONS, other, ALIVE, PRESENCE)
        for (const [name, e] of mirror) if (e.instance === other) mirror.delete(name)
      }
    })
    const leaseTick = Effect.zipRight(renew, checkOthers).pipe(
      Effect.catchAll((e) => Effect.sync(() => warn("lease", "cannot renew this instance's presence in Redis")(e.error)))
    )

    // ---- hooks and commands ---------------------------------------------------------------------

    const onHook = (text: string) => {
      const message = JSON.parse(text) as { from: string; event: HookEvent }
      if (message.from !== instance) local.hook(message.event)
    }

    /** What a command changes in this layer's own state, on every instance (the issuer's included). */
    const mirrorEffect = (command: ServiceCommand) => {
      if (command._tag !== "SetPermission") return
      const entry = mirror.get(command.name)
      if (entry !== undefined) mirror.set(command.name, { ...entry, permission: command.permission })
      const user = local.find(command.name)?.user
      if (user !== undefined) {
        client.gochatUpdate(SESSIONS, user.name, sessionValue(instance, user.id, command.permission), instance, PRESENCE)
          .catch(warn("update", "cannot record a level change in Redis"))
      }
    }

    const onCommand = (text: string) => {
      const message = JSON.parse(text) as { from: string; command: ServiceCommand }
      if (message.from === instance) return
      mirrorEffect(message.command)
      queue.unsafeOffer({ command: message.command, applied: undefined })
    }

    // ---- cross-instance delivery ------------------------------------------------------------------

    let nextSeq = 1
    const pending = new Map<number, Pending>()
    const batches = new Map<string, Batch>()
    let flushScheduled = false

    const settle = (seq: number, outcome: ForwardOutcome) => {
      const p = pending.get(seq)
      if (p === undefined) return
      pending.delete(seq)
      p.done(outcome)
    }

    const header = (kind: number) => {
      const h = Buffer.allocUnsafe(2)
      h[0] = kind
      h[1] = instanceBytes.length
      return [h, instanceBytes]
    }

    const flush = () => {
      flushScheduled = false
      for (const [dest, batch] of batches) {
        const seqs = batch.seqs
        const payload = Buffer.concat([...header(KIND_FRAMES), ...batch.parts], batch.bytes + 2 + instanceBytes.length)
        client.publish(`${INBOX}${dest}`, payload).then(
          (receivers) => {
            if (receivers === 0) for (const s of seqs) settle(s, "absent")
          },
          (e) => {
            warn("publish", "cannot publish messages for another instance (they are stored offline)")(e)
            for (const s of seqs) settle(s, "absent")
          }
        )
      }
      batches.clear()
    }

    const forward = (to: RemoteUser, frame: Uint8Array, done: (outcome: ForwardOutcome) => void): void => {
      if (!redis.isUp()) return done("absent")
      const seq = nextSeq++
      if (nextSeq > 0xffffffff) nextSeq = 1
      pending.set(seq, { done, deadline: Date.now() + cluster.forwardTimeoutMs })
      let batch = batches.get(to.instance)
      if (batch === undefined) batches.set(to.instance, batch = { parts: [], seqs: [], bytes: 0 })
      const name = (to as Mirrored).nameBytes ?? Buffer.from(to.name, "latin1")
      const head = Buffer.allocUnsafe(9 + name.length)
      head.writeUInt32BE(seq, 0)
      head[4] = name.length
      name.copy(head, 5)
      head.writeUInt32BE(frame.length, 5 + name.length)
      batch.parts.push(head, frame)
      batch.seqs.push(seq)
      batch.bytes += head.length + frame.length
      if (!flushScheduled) {
        flushScheduled = true
        setImmediate(flush)
      }
    }

    /** A batch of frames from another instance: queued on the recipients' connections, answered in one batch. */
    const onFrames = (source: string, data: Buffer, offset: number) => {
      // one buffer for the answers: every record is at least 9 bytes, every answer 5
      const answers = Buffer.allocUnsafe(2 + instanceBytes.length + 5 * Math.ceil((data.length - offset) / 9))
      answers[0] = KIND_ANSWERS
      answers[1] = instanceBytes.length
      instanceBytes.copy(answers, 2)
      let n = 2 + instanceBytes.length
      let i = offset
      while (i + 9 <= data.length) {
        const seq = data.readUInt32BE(i)
        const nameLength = data[i + 4]
        const name = data.toString("latin1", i + 5, i + 5 + nameLength)
        const frameLength = data.readUInt32BE(i + 5 + nameLength)
        const start = i + 9 + nameLength
        const frame = data.subarray(start, start + frameLength)
        i = start + frameLength
        answers.writeUInt32BE(seq, n)
        answers[n + 4] = local.deliver(name, frame) ? 1 : 0
        n += 5
      }
      client.publish(`${INBOX}${source}`, answers.subarray(0, n))
        .catch(warn("answer", "cannot answer another instance's messages (its senders get ERR_SERVER)"))
    }

    const onAnswers = (data: Buffer, offset: number) => {
      for (let i = offset; i + 5 <= data.length; i += 5) settle(data.readUInt32BE(i), data[i + 4] === 1 ? "delivered" : "absent")
    }

    const onInbox = (data: Buffer) => {
      if (data.length < 2) return
      const sourceEnd = 2 + data[1]
      const source = data.toString("latin1", 2, sourceEnd)
      if (data[0] === KIND_FRAMES) onFrames(source, data, sourceEnd)
      else if (data[0] === KIND_ANSWERS) onAnswers(data, sourceEnd)
    }

    /** Forwarded frames that got no answer in time: "unknown". */
    const expire = Effect.sync(() => {
      const now = Date.now()
      for (const [seq, p] of pending) {
        if (p.deadline > now) break
        pending.delete(seq)
        p.done("unknown")
      }
    })

    // ---- wiring ---------------------------------------------------------------------------------

    redis.subscriber.on("messageBuffer", (channel: Buffer, message: Buffer) => {
      try {
        const name = channel.toString("latin1")
        if (name === myInbox) onInbox(message)
        else if (name === PRESENCE) onPresence(message.toString("latin1"))
        else if (name === HOOKS) onHook(message.toString("utf8"))
        else if (name === COMMANDS) onCommand(message.toString("utf8"))
      } catch (e) {
        warn("message", "unreadable message from Redis")(e)
      }
    })
    yield* Effect.tryPromise(() => redis.subscriber.subscribe(myInbox, PRESENCE, HOOKS, COMMANDS)).pipe(Effect.orDie)
    yield* Effect.tryPromise(() => client.set(aliveKey, "1", "PX", cluster.leaseMs)).pipe(Effect.orDie)
    yield* loadSnapshot.pipe(Effect.orDie)
    redis.onReady(() =>
      run(Effect.zipRight(
        Effect.tryPromise(() => client.set(aliveKey, "1", "PX", cluster.leaseMs)),
        reassert
      ).pipe(Effect.catchAll((e) => Effect.sync(() => warn("reassert", "cannot restore this instance's sessions in Redis")(e.error))))))

    yield* Effect.forkScoped(Effect.repeat(leaseTick, Schedule.spaced(Math.max(100, Math.floor(cluster.leaseMs / 3)))))
    yield* Effect.forkScoped(Effect.repeat(expire, Schedule.spaced(Math.max(50, Math.min(250, Math.floor(cluster.forwardTimeoutMs / 4))))))
    // leaving: this instance's lease ends at once (its sessions were released as its connections closed)
    yield* Effect.addFinalizer(() =>
      Effect.promise(() => client.del(aliveKey).then(() => undefined, () => undefined)).pipe(
        Effect.zipRight(Effect.sync(() => {
          for (const seq of [...pending.keys()]) settle(seq, "unknown")
        }))
      ))

    const publishJson = (channel: string, value: unknown, what: string) => {
      client.publish(channel, JSON.stringify(value)).catch(warn(what, `cannot tell the other instances (${what})`))
    }

    return {
      claim: (endpoint, user) =>
        Effect.suspend(() => {
          if (local.find(user.name) !== undefined || claiming.has(user.name)) return Effect.succeed(false)
          claiming.add(user.name)
          return Effect.tryPromise(() =>
            client.gochatClaim(SESSIONS, user.name, sessionValue(instance, user.id, user.permission), instance, ALIVE, PRESENCE, "C")
          ).pipe(
            Effect.orDie,
            Effect.map((won) => {
              if (won !== 1) return false
              mirror.delete(user.name)
              return local.bind(endpoint, user) === undefined
            }),
            Effect.ensuring(Effect.sync(() => claiming.delete(user.name)))
          )
        }),
      release: (endpoint) =>
        Effect.suspend(() => {
          const user = local.unbind(endpoint)
          if (user === undefined) return Effect.succeed(undefined)
          return Effect.tryPromise(() => client.gochatRelease(SESSIONS, user.name, instance, PRESENCE)).pipe(
            // Redis is away: the entry is removed when this instance re-asserts its sessions
            Effect.catchAll((e) => Effect.sync(() => warn("release", "cannot end a session in Redis")(e.error))),
            Effect.as(user)
          )
        }),
      locate: (name) => {
        const here = local.find(name)?.user
        if (here !== undefined) return here
        return mirror.get(name)
      },
      remote: (name) => mirror.get(name),
      forward,
      deliver: (name, frame) =>
        Effect.suspend(() => {
          if (local.deliver(name, frame)) return Effect.succeed(true)
          const to = mirror.get(name)
          if (to === undefined) return Effect.succeed(false)
          return Effect.async<boolean>((resume) => forward(to, frame, (outcome) => resume(Effect.succeed(outcome === "delivered"))))
        }),
      publish: (event: HookEvent) => {
        local.hook(event)
        // NEWLOGIN and NEWLOGOUT reach the other instances with the session change itself (the claim and
        // release scripts publish it): one publish per login or logout, not two
        if (event._tag !== "NewLogin" && event._tag !== "NewLogout") publishJson(HOOKS, { from: instance, event }, "hook")
      },
      onlineUsers: () => {
        const entries: Array<OnlineEntry> = [...local.users()]
        for (const e of mirror.values()) if (local.find(e.name) === undefined) entries.push(e)
        return sortByName(entries)
      },
      command: (command) =>
        Effect.suspend(() => {
          mirrorEffect(command)
          publishJson(COMMANDS, { from: instance, command }, command._tag)
          return applyHere(queue, command)
        }),
      inbound: Stream.fromQueue(queue)
    } satisfies PresenceApi
  })

/** A fresh name for this instance: its inbox channel and lease key. */
export const newInstanceId = (): string => randomBytes(6).toString("hex")

/** `Presence` over Redis: connects (or fails the start with one line), then serves as `makeRedisPresence`. */
export const redisPresenceLayer = (cluster: ClusterSettings, instance = newInstanceId()): Layer.Layer<Presence, RedisUnavailable, LocalEndpoints> =>
  Layer.scoped(
    Presence,
    Effect.flatMap(connectRedis(cluster.redisUrl, instance), (redis) => makeRedisPresence(redis, cluster, instance))
  )

/**
 * What a server whose settings enable clustering runs on instead of `Presence.Memory` and `Tokens.Memory`:
 * both over one Redis connection.
 */
export const clusterLayer: Layer.Layer<Presence | Tokens, RedisUnavailable, LocalEndpoints | ServerConfig> = Layer.scopedContext(
  Effect.gen(function*() {
    const settings = yield* ServerConfig
    const cluster = settings.cluster!
    const instance = newInstanceId()
    const redis = yield* connectRedis(cluster.redisUrl, instance)
    const presence = yield* makeRedisPresence(redis, cluster, instance)
    const tokens = makeRedisTokens(redis, instance, ALIVE, settings.timeouts.tokenMs)
    yield* Effect.logInfo("cluster instance").pipe(Effect.annotateLogs({ instance, redis: describeRedis(cluster.redisUrl) }))
    return Context.make(Presence, presence).pipe(Context.add(Tokens, tokens))
  })
)
