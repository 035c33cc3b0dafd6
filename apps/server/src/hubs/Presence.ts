/**
 * Who is online where, and delivery of packets to a user, to hook subscribers or to everyone.
 *
 * Handlers only talk to this service for routing, so a distributed implementation (e.g. Redis pub/sub
 * between several server processes) can replace `Presence.Default` without touching them. All methods are
 * synchronous and never block: delivery only appends to the target connection's bounded outbound queue.
 */
import { Effect } from "effect"
import type { KeyObject } from "node:crypto"

/** The logged-in identity attached to a connection. */
export interface OnlineUser {
  readonly id: number
  readonly name: string
  /** ASCII bytes of the name, ready to put in a frame */
  readonly nameBytes: Uint8Array
  permission: number
  readonly publicKey: KeyObject
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

export class Presence extends Effect.Service<Presence>()("server/Presence", {
  sync: () => {
    const endpoints = new Map<number, Endpoint>()
    const online = new Map<string, Endpoint>()

    return {
      /** Every admitted connection (logged in or not). */
      register(endpoint: Endpoint): void {
        endpoints.set(endpoint.id, endpoint)
      },
      unregister(endpoint: Endpoint): void {
        endpoints.delete(endpoint.id)
      },
      /**
       * Atomically binds `name` to `endpoint`. Returns undefined on success, or the endpoint already holding
       * the name (then nothing changes): two concurrent logins can never both succeed.
       */
      claim(endpoint: Endpoint, user: OnlineUser): Endpoint | undefined {
        const holder = online.get(user.name)
        if (holder !== undefined && holder !== endpoint) return holder
        online.set(user.name, endpoint)
        endpoint.user = user
        return undefined
      },
      /** Unbinds the endpoint's user; returns it if there was one. */
      release(endpoint: Endpoint): OnlineUser | undefined {
        const user = endpoint.user
        if (user === undefined) return undefined
        endpoint.user = undefined
        if (online.get(user.name) === endpoint) online.delete(user.name)
        return user
      },
      /** The connection a user is logged in on (it may be closing: see `accepting`). */
      find(name: string): Endpoint | undefined {
        return online.get(name)
      },
      /** Delivers a frame to an online user; false if the user is not online (or their connection is closing). */
      deliver(name: string, frame: Uint8Array): boolean {
        const endpoint = online.get(name)
        if (endpoint === undefined || !endpoint.accepting) return false
        endpoint.send(frame)
        return true
      },
      /** Sends a frame to every connection subscribed to `hook`. */
      publish(hook: number, frame: Uint8Array): void {
        for (const endpoint of endpoints.values()) {
          if (endpoint.hooks.has(hook)) endpoint.send(frame)
        }
      },
      /** Online users, sorted by name. */
      onlineUsers(): Array<OnlineUser> {
        const users: Array<OnlineUser> = []
        for (const endpoint of online.values()) if (endpoint.user) users.push(endpoint.user)
        return users.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
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
