/**
 * The TUI backend over the client core (src/core, see its README): one Client + Connection per
 * remote server (built on first use, `Layer.fresh`) over one shared Store, so several servers can
 * be connected at once. Core events are tagged with their server and merged into one stream.
 */
import { Context, Duration, Effect, ExecutionStrategy, Exit, Layer, PubSub, Queue, Scope, Stream } from "effect"
import { Client, type ClientEvent, ClientConfig, commands, Connection, type ResolvedConfig, Store } from "../core/index.js"
import {
  BackendError,
  type BackendEvent,
  type Conversation,
  type ServerRecord,
  type StoredMessage,
  type TuiBackend,
  type UsersScope
} from "./backend.js"

type Services = Client | Connection | Store | ClientConfig
type UserEntry = { readonly name: string; readonly permission?: number; readonly detail?: string }

/** Name of the session used for work that belongs to no server (RECOVER). */
const NO_SERVER = "\u0000"

export const CLIENT_VERSION = "1.0.0"

const toBackendError = (e: { readonly message: string }) => new BackendError({ message: e.message })

const toEvent = (server: string, e: ClientEvent): BackendEvent | undefined => {
  switch (e._tag) {
    case "Connected":
      return undefined
    case "PacketDump":
      return { _tag: "Packet", server, direction: e.direction, text: e.text }
    case "Disconnected":
      return { _tag: "Disconnected", server, reason: e.byUser ? "" : e.reason }
    case "MessageReceived":
      return e.broadcast
        ? { _tag: "Broadcast", server, sender: e.from, stamp: e.stamp.getTime(), text: e.text }
        : { _tag: "Message", server, sender: e.from, stamp: e.stamp.getTime(), text: e.text }
    case "Hook":
      switch (e.event.hook) {
        case "NEWLOGIN":
          return { _tag: "UserLogin", server, user: e.event.username, permission: e.event.permission }
        case "NEWLOGOUT":
          return { _tag: "UserLogout", server, user: e.event.username }
        case "DUPSESS":
          return { _tag: "DuplicateSession", server, ip: e.event.ip }
        case "PERMSCHG":
          return { _tag: "PermissionChanged", server, user: e.event.username, permission: e.event.permission }
      }
      return undefined
    case "ShutdownScheduled":
      return { _tag: "Shutdown", server, at: e.at.getTime() }
    case "Notice":
      return { _tag: "Notice", server, level: e.level, text: e.text }
    case "KeyChanged":
      return { _tag: "KeyChanged", server, user: e.username, change: { pinned: e.pinned, offered: e.offered } }
  }
}

const toServerRecord = (s: { name: string; address: string; port: number; tls: boolean }): ServerRecord => ({
  name: s.name,
  address: s.address,
  port: s.port,
  tls: s.tls
})

export interface CoreBackendOptions {
  /** Ask the core for packet dumps (the TUI's Debug buffer). */
  readonly packetDumps?: boolean
}

/** Builds the backend; everything it starts lives in the surrounding scope. */
export const makeCoreBackend = (
  config: ResolvedConfig,
  options: CoreBackendOptions = {}
): Effect.Effect<TuiBackend, BackendError, Scope.Scope> =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const shared = yield* Layer.buildWithScope(Layer.merge(Store.layerFile(config.databasePath), ClientConfig.layer(config)), scope).pipe(
      Effect.mapError(toBackendError)
    )
    const store = Context.get(shared, Store)
    const events = yield* PubSub.unbounded<BackendEvent>()
    /** Each server's Client lives in its own child scope, closed when the server is deleted. */
    const sessions = new Map<string, { readonly context: Context.Context<Services>; readonly scope: Scope.CloseableScope }>()
    const lock = yield* Effect.makeSemaphore(1)

    /** The Client of a server, built (and its events forwarded) the first time it is needed. */
    const sessionOf = (server: string) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const existing = sessions.get(server)
          if (existing !== undefined) return existing.context
          const child = yield* Scope.fork(scope, ExecutionStrategy.sequential)
          const layer = Client.Default.pipe(Layer.provideMerge(Layer.fresh(Connection.Default)), Layer.provideMerge(Layer.succeedContext(shared)))
          const context = yield* Layer.buildWithScope(Layer.fresh(layer), child)
          const client = Context.get(context, Client)
          const queue = yield* client.subscribe.pipe(Scope.extend(child))
          if (options.packetDumps === true) yield* client.setVerbose(true)
          yield* Effect.forkIn(
            Queue.take(queue).pipe(
              Effect.flatMap((e) => {
                const name = [...sessions.entries()].find(([, s]) => s.context === context)?.[0] ?? server
                const event = toEvent(name, e)
                return event === undefined ? Effect.void : PubSub.publish(events, event)
              }),
              Effect.forever
            ),
            child
          )
          sessions.set(server, { context, scope: child })
          return context
        })
      )

    const on = <A, E extends { readonly message: string }>(server: string, effect: Effect.Effect<A, E, Services>) =>
      Effect.flatMap(sessionOf(server), (context) => Effect.provide(effect, context)).pipe(Effect.mapError(toBackendError))

    const localStore = <A, E extends { readonly message: string }>(effect: Effect.Effect<A, E>) => Effect.mapError(effect, toBackendError)

    /** The stored conversation (commands.history reads the local store only, no request). */
    const storedHistory = (peer: string) =>
      commands.history({ username: peer, limit: 1000 }).pipe(
        Effect.map((records): ReadonlyArray<StoredMessage> =>
          records.map((m) => ({ peer: m.peer, outgoing: m.direction === "out", stamp: m.stamp.getTime(), text: m.text }))
        )
      )

    const openConversation = (server: string, peer: string): Effect.Effect<Conversation, BackendError> =>
      on(
        server,
        Effect.gen(function* () {
          const requested = yield* commands.req({ username: peer })
          const session = yield* (yield* Client).session
          yield* store.setConversationOpen(session.account.localId, peer, true)
          const history = yield* storedHistory(peer)
          return requested.status === "changed" && requested.pinnedFingerprint !== undefined
            ? { peer, history, keyChange: { pinned: requested.pinnedFingerprint, offered: requested.fingerprint } }
            : { peer, history }
        })
      )

    const scopeOf = (scope: UsersScope) => {
      switch (scope) {
        case "remote-all":
          return { scope: "remote", which: "all" } as const
        case "remote-online":
          return { scope: "remote", which: "online" } as const
        case "local-all":
          return { scope: "local-all" } as const
        case "local-server":
          return { scope: "local-server" } as const
      }
    }

    const backend: TuiBackend = {
      servers: localStore(store.listServers).pipe(Effect.map((list) => list.map(toServerRecord))),
      addServer: (s) => localStore(store.addServer({ name: s.name, address: s.address, port: s.port, tls: s.tls })).pipe(Effect.asVoid),
      deleteServer: (name) =>
        localStore(store.deleteServer(name)).pipe(
          Effect.zipRight(
            Effect.suspend(() => {
              const session = sessions.get(name)
              sessions.delete(name)
              return session === undefined ? Effect.void : Scope.close(session.scope, Exit.void)
            })
          )
        ),
      updateServer: (name, patch) =>
        Effect.gen(function* () {
          if (patch.address !== undefined) yield* store.updateServer(name, "address", patch.address)
          if (patch.port !== undefined) yield* store.updateServer(name, "port", patch.port)
          if (patch.tls !== undefined) yield* store.updateServer(name, "tls", patch.tls)
          let current = name
          if (patch.name !== undefined && patch.name !== name) {
            yield* store.updateServer(name, "name", patch.name)
            current = patch.name
            const session = sessions.get(name)
            sessions.delete(name)
            if (session !== undefined) sessions.set(current, session)
          }
          return toServerRecord(yield* store.requireServer(current))
        }).pipe(Effect.mapError(toBackendError)),

      connect: (server, options) =>
        on(
          server,
          commands.conn({
            server,
            insecure: options.noVerify ? true : undefined,
            keepAlive: options.noIdle ? Duration.minutes(24) : false
          })
        ).pipe(Effect.map((r) => ({ motd: r.motd }))),
      disconnect: (server) => on(server, commands.discn()).pipe(Effect.asVoid),

      register: (server, username, password) => on(server, commands.reg({ username, password })).pipe(Effect.asVoid),
      login: (server, username, password) =>
        on(
          server,
          commands.login({ username, password, catchUp: false, subscribe: false }).pipe(Effect.map((r) => ({ permission: r.permission })))
        ),
      logout: (server) => on(server, commands.logout()).pipe(Effect.asVoid),
      deregister: (server, password) => on(server, commands.dereg({ password })).pipe(Effect.map((r) => r.username)),

      onlineUsers: (server) =>
        on(server, commands.usrs({ scope: "remote", which: "online", perms: true })).pipe(
          Effect.map((r) => r.users.map((u: UserEntry) => ({ name: u.name, permission: u.permission ?? 0 })))
        ),
      listUsers: (server, scope, perms) => {
        const kind = scopeOf(scope)
        const input = kind.scope === "remote" ? { ...kind, perms } : kind
        return on(scope === "local-all" ? NO_SERVER : server, commands.usrs(input)).pipe(
          Effect.map((r) =>
            r.users.map((u: UserEntry) =>
              [u.name, ...(u.permission !== undefined && perms ? [`permission ${u.permission}`] : []), ...(u.detail ? [u.detail] : [])].join(" | ")
            )
          )
        )
      },
      catchUp: (server) => on(server, commands.reciv()),
      subscribe: (server, hook) => on(server, commands.sub({ hook, subscribe: true })).pipe(Effect.asVoid),
      unsubscribe: (server, hook) => on(server, commands.sub({ hook, subscribe: false })).pipe(Effect.asVoid),
      admin: (server, op, args) => on(server, commands.admin({ op, args })).pipe(Effect.asVoid),

      conversations: (server) =>
        on(
          server,
          Effect.gen(function* () {
            const client = yield* Client
            const session = yield* client.session
            return yield* store.openConversations(session.account.localId)
          })
        ),
      openConversation,
      history: (server, peer) => on(server, storedHistory(peer)),
      // Closed conversations stay closed at the next login, until reopened or a message arrives.
      closeConversation: (server, peer) =>
        on(
          server,
          Effect.gen(function* () {
            const session = yield* (yield* Client).session
            yield* store.setConversationOpen(session.account.localId, peer, false)
          })
        ),
      send: (server, peer, text) =>
        Effect.flatMap(sessionOf(server), (context) =>
          commands.msg({ to: peer, text }).pipe(
            Effect.provide(context),
            Effect.map((r) => r.stamp.getTime()),
            Effect.tapError((e) =>
              e._tag === "KeyChanged"
                ? PubSub.publish(events, { _tag: "KeyChanged", server, user: e.username, change: { pinned: e.pinned, offered: e.offered } })
                : Effect.void
            ),
            // The core's text names shell commands; the TUI's banner already shows the details.
            Effect.mapError((e) =>
              e._tag === "KeyChanged"
                ? new BackendError({
                    message: `the key of ${e.username} has changed, so nothing was sent: compare it with /fingerprint ${e.username}, accept it with /trust ${e.username}`
                  })
                : e
            )
          )
        ).pipe(Effect.mapError(toBackendError)),

      importKey: (server, username, path, password) =>
        on(server, commands.importKey({ username, file: path, password, server })).pipe(Effect.asVoid),
      exportKey: (server, username, password) => on(server, commands.exportKey({ username, password, server })).pipe(Effect.map((r) => r.file)),
      recover: (username, password, cleanup) =>
        on(NO_SERVER, commands.recover({ username, password, cleanup })).pipe(
          Effect.map((r) => [r.keyFile, r.messagesFile].filter((f): f is string => typeof f === "string" && f !== ""))
        ),

      trust: (server, peer) => on(server, commands.trust({ username: peer, server })).pipe(Effect.map((r) => r.accepted)),
      fingerprint: (server, peer) => on(server, commands.fingerprintOf(peer === undefined ? {} : { username: peer })).pipe(Effect.map((r) => r.fingerprint)),

      events: Stream.fromPubSub(events),
      version: CLIENT_VERSION
    }
    return backend
  })
