/**
 * Who is online in the whole service, and getting packets to users wherever they are connected: the seam
 * between one server instance and several.
 *
 * Two layers implement it on one tag, chosen once at start-up by `Server.ts`:
 * - `Presence.Memory` (the default): the service is this process; everything is `LocalEndpoints`.
 * - `redisPresenceLayer` (`cluster/RedisPresence.ts`): sessions, online users and deliveries shared by
 *   every instance through Redis.
 * Handlers do not learn which one they run on. The relay hot path reads `LocalEndpoints` first and asks
 * `remote` / `forward` (plain synchronous calls) only for a recipient this instance does not hold.
 *
 * Work that another instance asks of this one and that needs Effects (ending a session, reloading a cache)
 * arrives on `inbound`, drained by one scoped consumer (`ServiceCommands`); `command` puts a command on
 * every instance's stream, this one's included, and resolves once it has been applied here.
 */
import { Context, Deferred, Effect, Layer, Queue, Stream } from "effect"
import type { HookEvent } from "./Hooks.js"
import { type Endpoint, LocalEndpoints, type OnlineUser } from "./LocalEndpoints.js"

export type { Endpoint, OnlineUser } from "./LocalEndpoints.js"

/** A user online somewhere in the service. */
export interface OnlineEntry {
  readonly name: string
  readonly permission: number
}

/** A user online on another instance, as the relay needs it. */
export interface RemoteUser {
  readonly name: string
  /** account row id (to store the message if the user left meanwhile) */
  readonly id: number
  readonly instance: string
}

/**
 * What became of a forwarded frame: queued on the recipient's connection; not delivered because the
 * recipient is no longer there (the sender stores it offline); or not known (no answer in time: the sender
 * must not claim success, and must not store it either, or it might arrive twice).
 */
export type ForwardOutcome = "delivered" | "absent" | "unknown"

/** Work applied on every instance of the service. */
export type ServiceCommand =
  /** the user's session ends on whichever instance holds it (kick, deregistration) */
  | { readonly _tag: "EndSession"; readonly name: string; readonly reason: string }
  /** the user's level changed: the session (if any) and every instance's view of it follow */
  | { readonly _tag: "SetPermission"; readonly name: string; readonly permission: number }
  /** the stored account changed: cached rows and parsed keys are stale */
  | { readonly _tag: "AccountChanged"; readonly name: string }
  | { readonly _tag: "MotdChanged"; readonly text: string }
  /** ADMIN_SHTDWN: every instance stops at `atMs` and tells its connections (SHTDWN with `stamp`, as sent) */
  | { readonly _tag: "ShutdownScheduled"; readonly atMs: number; readonly stamp: ReadonlyArray<number> }

/** A command on this instance's inbound stream; `applied` is completed by the consumer when it came from here. */
export interface Inbound {
  readonly command: ServiceCommand
  readonly applied: Deferred.Deferred<void> | undefined
}

export interface PresenceApi {
  /** Grants `user` the service's one session on `endpoint`; false if it is held elsewhere (nothing changes). */
  readonly claim: (endpoint: Endpoint, user: OnlineUser) => Effect.Effect<boolean>
  /** Ends the endpoint's session (if any) and returns its user. */
  readonly release: (endpoint: Endpoint) => Effect.Effect<OnlineUser | undefined>
  /** The user's session anywhere in the service. */
  readonly locate: (name: string) => OnlineEntry | undefined
  /** The user if they are online on another instance (hot path: synchronous, local state only). */
  readonly remote: (name: string) => RemoteUser | undefined
  /** Sends a frame to a user on another instance; `done` is called exactly once (hot path: never blocks). */
  readonly forward: (to: RemoteUser, frame: Uint8Array, done: (outcome: ForwardOutcome) => void) => void
  /** Queues a frame for a user wherever they are connected; false if they are not online. */
  readonly deliver: (name: string, frame: Uint8Array) => Effect.Effect<boolean>
  /** A hook event to its subscribers on every instance. */
  readonly publish: (event: HookEvent) => void
  /** Online users of the whole service, sorted by name. */
  readonly onlineUsers: () => ReadonlyArray<OnlineEntry>
  /** Applies a command on every instance; resolves once it was applied on this one. */
  readonly command: (command: ServiceCommand) => Effect.Effect<void>
  /** Commands for this instance, for one scoped consumer. */
  readonly inbound: Stream.Stream<Inbound>
}

const byName = (a: OnlineEntry, b: OnlineEntry) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)

/** Sorts entries by name, as USRS lists them. */
export const sortByName = <A extends OnlineEntry>(entries: Array<A>): Array<A> => entries.sort(byName)

/** Queues a command for the local consumer and waits until it was applied. */
export const applyHere = (queue: Queue.Enqueue<Inbound>, command: ServiceCommand): Effect.Effect<void> =>
  Effect.flatMap(Deferred.make<void>(), (applied) =>
    Effect.zipRight(Queue.offer(queue, { command, applied }), Deferred.await(applied)))

export class Presence extends Context.Tag("server/Presence")<Presence, PresenceApi>() {
  /** One process is the whole service. */
  static readonly Memory: Layer.Layer<Presence, never, LocalEndpoints> = Layer.scoped(
    Presence,
    Effect.gen(function*() {
      const local = yield* LocalEndpoints
      const queue = yield* Effect.acquireRelease(Queue.unbounded<Inbound>(), Queue.shutdown)
      return {
        claim: (endpoint, user) => Effect.sync(() => local.bind(endpoint, user) === undefined),
        release: (endpoint) => Effect.sync(() => local.unbind(endpoint)),
        locate: (name) => local.find(name)?.user,
        remote: () => undefined,
        forward: (_to, _frame, done) => done("absent"),
        deliver: (name, frame) => Effect.sync(() => local.deliver(name, frame)),
        publish: (event) => local.hook(event),
        onlineUsers: () => sortByName(local.users()),
        command: (command) => applyHere(queue, command),
        inbound: Stream.fromQueue(queue)
      } satisfies PresenceApi
    })
  )
}
