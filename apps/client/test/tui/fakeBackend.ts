/**
 * An in-memory TuiBackend for component tests: servers, accounts and conversations live in
 * maps; `emit` plays the server's unsolicited events; `gate` holds a call until released, so
 * tests can look at the screen while something runs.
 */
import { Deferred, Effect, PubSub, Stream } from "effect"
import {
  BackendError,
  type BackendEvent,
  type KeyChange,
  type OnlineUser,
  type ServerRecord,
  type StoredMessage,
  type TuiBackend
} from "../../src/tui/backend.js"

export interface FakeBackend extends TuiBackend {
  readonly emit: (event: BackendEvent) => void
  readonly calls: Array<string>
  readonly sent: Array<{ server: string; peer: string; text: string }>
  readonly online: Map<string, Array<OnlineUser>>
  /** Stored conversations by `server/peer`. */
  readonly stored: Map<string, Array<StoredMessage>>
  readonly keyChanges: Map<string, KeyChange>
  /** The next call of this method waits until the returned release function runs. */
  readonly gate: (method: string) => () => void
}

export const makeFakeBackend = (initial: ReadonlyArray<ServerRecord> = []): FakeBackend => {
  const pubsub = Effect.runSync(PubSub.unbounded<BackendEvent>())
  const servers = [...initial]
  const connected = new Set<string>()
  const accounts = new Map<string, string>()
  const loggedIn = new Map<string, string>()
  const calls: Array<string> = []
  const sent: Array<{ server: string; peer: string; text: string }> = []
  const online = new Map<string, Array<OnlineUser>>()
  const stored = new Map<string, Array<StoredMessage>>()
  const keyChanges = new Map<string, KeyChange>()
  const gates = new Map<string, Deferred.Deferred<void>>()
  const fail = (message: string) => Effect.fail(new BackendError({ message }))

  const track = <A>(method: string, effect: Effect.Effect<A, BackendError>): Effect.Effect<A, BackendError> =>
    Effect.suspend(() => {
      calls.push(method)
      const gate = gates.get(method)
      if (gate === undefined) return effect
      gates.delete(method)
      return Effect.zipRight(Deferred.await(gate), effect)
    })

  const needConnection = (server: string) => (connected.has(server) ? Effect.void : fail("not connected"))

  return {
    emit: (event) => Effect.runSync(PubSub.publish(pubsub, event)),
    calls,
    sent,
    online,
    stored,
    keyChanges,
    gate: (method) => {
      const deferred = Effect.runSync(Deferred.make<void>())
      gates.set(method, deferred)
      return () => Effect.runSync(Deferred.succeed(deferred, undefined))
    },
    servers: Effect.sync(() => [...servers]),
    addServer: (s) => track("addServer", Effect.sync(() => void servers.push(s))),
    deleteServer: (name) => track("deleteServer", Effect.sync(() => void servers.splice(servers.findIndex((s) => s.name === name), 1))),
    updateServer: (name, patch) =>
      track(
        "updateServer",
        Effect.sync(() => {
          const i = servers.findIndex((s) => s.name === name)
          servers[i] = { ...servers[i], ...patch }
          return servers[i]
        })
      ),
    connect: (server) => track("connect", Effect.sync(() => void connected.add(server)).pipe(Effect.as({ motd: "Welcome to the test server" }))),
    disconnect: (server) => track("disconnect", Effect.sync(() => void connected.delete(server))),
    register: (server, user, password) =>
      track(
        "register",
        Effect.zipRight(
          needConnection(server),
          accounts.has(`${server}/${user}`) ? fail("content already exists") : Effect.sync(() => void accounts.set(`${server}/${user}`, password))
        )
      ),
    login: (server, user, password) =>
      track(
        "login",
        Effect.zipRight(
          needConnection(server),
          accounts.get(`${server}/${user}`) === password
            ? Effect.sync(() => {
                loggedIn.set(server, user)
                return { permission: 1 }
              })
            : fail(`wrong credentials for ${user}`)
        )
      ),
    logout: (server) => track("logout", Effect.sync(() => void loggedIn.delete(server))),
    deregister: (server) => track("deregister", Effect.sync(() => loggedIn.get(server) ?? "")),
    onlineUsers: (server) => track("onlineUsers", Effect.sync(() => online.get(server) ?? [])),
    listUsers: (server, _scope, perms) =>
      track("listUsers", Effect.sync(() => (online.get(server) ?? []).map((u) => (perms ? `${u.name} | permission ${u.permission}` : u.name)))),
    catchUp: () => track("catchUp", Effect.succeed({ empty: true })),
    subscribe: (_server, hook) => track(`subscribe:${hook}`, Effect.void),
    unsubscribe: (_server, hook) => track(`unsubscribe:${hook}`, Effect.void),
    admin: (_server, op, args) => track(`admin:${op}:${args.join(",")}`, Effect.void),
    conversations: (server) => track("conversations", Effect.sync(() => [...stored.keys()].filter((k) => k.startsWith(`${server}/`)).map((k) => k.slice(server.length + 1)))),
    openConversation: (server, peer) =>
      track(
        "openConversation",
        peer === "nobody"
          ? fail("content can not be found")
          : Effect.sync(() => {
              const change = keyChanges.get(peer)
              const h = stored.get(`${server}/${peer}`) ?? []
              return change ? { peer, history: h, keyChange: change } : { peer, history: h }
            })
      ),
    history: (server, peer) => track("history", Effect.sync(() => stored.get(`${server}/${peer}`) ?? [])),
    closeConversation: (server, peer) => track("closeConversation", Effect.sync(() => void stored.delete(`${server}/${peer}`))),
    send: (server, peer, text) =>
      track(
        "send",
        keyChanges.has(peer)
          ? fail(`the key of ${peer} has changed, so nothing was sent`)
          : Effect.sync(() => {
              sent.push({ server, peer, text })
              return Date.now()
            })
      ),
    importKey: () => track("importKey", Effect.void),
    exportKey: (_server, user) => track("exportKey", Effect.succeed(`export/${user}.priv`)),
    recover: (user) => track("recover", Effect.succeed([`export/${user}.priv`, `export/${user}.msgs`])),
    trust: (_server, peer) =>
      track(
        "trust",
        Effect.sync(() => {
          keyChanges.delete(peer)
          return "SHA256:new"
        })
      ),
    fingerprint: (_server, peer) => track("fingerprint", Effect.succeed(peer === undefined ? "SHA256:mine" : `SHA256:${peer}`)),
    events: Stream.fromPubSub(pubsub),
    version: "test"
  }
}
