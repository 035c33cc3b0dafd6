/**
 * This instance's connections: every admitted one, and the ones a user is logged in on, by name.
 *
 * Plain synchronous code and local state only: the relay hot path (`actions/msg.ts`) reads it for every
 * MSG. Who is online in the whole service, and delivery to users on other instances, is `Presence`'s job;
 * `Presence` binds and unbinds names here when it grants or ends a session.
 */
import type { KeyObject } from "node:crypto"
import { Effect } from "effect"
import { type HookEvent, hookFrameOf, hookTypeOf } from "./Hooks.js"
import type { TokenBucket } from "./Limits.js"

/** The logged-in identity attached to a connection. */
export interface OnlineUser {
  readonly id: number
  readonly name: string
  /** ASCII bytes of the name, ready to put in a frame */
  readonly nameBytes: Uint8Array
  permission: number
  readonly publicKey: KeyObject
  /** the user's MSG token bucket (`msg_burst`, `msg_per_second`; kept per user across sessions by `Limits`) */
  readonly msgBucket: TokenBucket
  /** the user's bucket for MSGs that are stored for an offline recipient (`offline_burst`, `offline_per_second`) */
  readonly offlineBucket: TokenBucket
}

/** What routing needs from a connection. */
export interface Endpoint {
  readonly id: number
  readonly secure: boolean
  readonly ip: string
  user: OnlineUser | undefined
  /** hook types this connection subscribed to */
  readonly hooks: Set<number>
  /** false once the connection is closing: frames sent now may never be written */
  readonly accepting: boolean
  /** queues a complete frame; never blocks */
  send(frame: Uint8Array): void
  /** closes the connection (optionally after a final Null-ID ERR) */
  close(reason: string, errorCode?: number): void
}

export class LocalEndpoints extends Effect.Service<LocalEndpoints>()("server/LocalEndpoints", {
  sync: () => {
    const endpoints = new Map<number, Endpoint>()
    const online = new Map<string, Endpoint>()
    /** endpoints that subscribed to a hook at some point (NEWLOGIN / NEWLOGOUT go to these, not to all) */
    const listeners = new Set<Endpoint>()

    return {
      /** Every admitted connection (logged in or not). */
      register(endpoint: Endpoint): void {
        endpoints.set(endpoint.id, endpoint)
      },
      unregister(endpoint: Endpoint): void {
        endpoints.delete(endpoint.id)
        listeners.delete(endpoint)
      },
      /** The endpoint subscribed to a hook (SUB): hook events are offered to it until it is unregistered. */
      listening(endpoint: Endpoint): void {
        listeners.add(endpoint)
      },
      /**
       * Binds `user` to `endpoint` unless another local connection holds the name: returns that holder
       * (then nothing changes), or undefined once bound.
       */
      bind(endpoint: Endpoint, user: OnlineUser): Endpoint | undefined {
        const holder = online.get(user.name)
        if (holder !== undefined && holder !== endpoint) return holder
        online.set(user.name, endpoint)
        endpoint.user = user
        return undefined
      },
      /** Unbinds the endpoint's user; returns it if there was one. */
      unbind(endpoint: Endpoint): OnlineUser | undefined {
        const user = endpoint.user
        if (user === undefined) return undefined
        endpoint.user = undefined
        if (online.get(user.name) === endpoint) online.delete(user.name)
        return user
      },
      /** The local connection a user is logged in on (it may be closing: see `accepting`). */
      find(name: string): Endpoint | undefined {
        return online.get(name)
      },
      /** Queues a frame for a user logged in here; false if they are not (or their connection is closing). */
      deliver(name: string, frame: Uint8Array): boolean {
        const endpoint = online.get(name)
        if (endpoint === undefined || !endpoint.accepting) return false
        endpoint.send(frame)
        return true
      },
      /** Sends a hook event to the local connections it concerns (DUPSESS: only the name's holder). */
      hook(event: HookEvent): void {
        const hook = hookTypeOf(event)
        if (event._tag === "DupSess") {
          const holder = online.get(event.name)
          if (holder !== undefined && holder.hooks.has(hook)) holder.send(hookFrameOf(event))
          return
        }
        // every login and logout publishes one: only subscribers are visited, the frame made once if needed
        let frame: Uint8Array | undefined
        for (const endpoint of listeners) {
          if (endpoint.hooks.has(hook)) endpoint.send(frame ??= hookFrameOf(event))
        }
      },
      /** Sends a frame to every local connection. */
      broadcast(frame: Uint8Array): void {
        for (const endpoint of endpoints.values()) endpoint.send(frame)
      },
      /** The users logged in here. */
      users(): Array<OnlineUser> {
        const users: Array<OnlineUser> = []
        for (const endpoint of online.values()) if (endpoint.user) users.push(endpoint.user)
        return users
      },
      /** Every admitted connection. */
      endpoints(): Array<Endpoint> {
        return [...endpoints.values()]
      },
      get connectionCount(): number {
        return endpoints.size
      }
    }
  }
}) {}
