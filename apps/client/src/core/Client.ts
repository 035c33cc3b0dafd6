/**
 * The client session over a `Connection`: which server we are on, which local account is
 * logged in (with its decrypted private key), reusable login tokens (kept across reconnects),
 * and the processing of everything the server sends on its own (RECIV → decrypt, store,
 * announce; HOOK; SHTDWN). Front ends read `state` and `events`; commands (./commands/*)
 * change the session through the methods below.
 */
import { decrypt, type RsaPrivateKey } from "@gochat/crypto"
import { Action, decodeServerMessage, type Packet } from "@gochat/protocol"
import { Effect, Either, PubSub, Stream, SubscriptionRef } from "effect"
import { type ConnectionEvent, Connection } from "./Connection.js"
import { checkContactKey, contactKeyBits } from "./contactKeys.js"
import { NotConnected, NotLoggedIn } from "./errors.js"
import { type LocalUserRecord, type ServerRecord, Store } from "./Store.js"

/** The logged-in account. */
export interface Session {
  readonly server: ServerRecord
  readonly account: LocalUserRecord
  readonly privateKey: RsaPrivateKey
  readonly fingerprint: string
}

export interface ClientState {
  readonly connection: "disconnected" | "connecting" | "connected"
  /** The server of the open (or opening) connection. */
  readonly server: ServerRecord | undefined
  readonly motd: string | undefined
  /** Logged-in username. */
  readonly user: string | undefined
  /** Permission level of the logged-in user (0 user, 1 admin, 2 owner), once known. */
  readonly permission: number | undefined
  readonly verbose: boolean
  /** Why the last connection ended, when it did. */
  readonly lastDisconnect: string | undefined
}

export type HookEvent =
  | { readonly hook: "NEWLOGIN"; readonly username: string; readonly permission: number }
  | { readonly hook: "NEWLOGOUT"; readonly username: string }
  | { readonly hook: "DUPSESS"; readonly ip: string }
  | { readonly hook: "PERMSCHG"; readonly username: string; readonly permission: number }

export type ClientEvent =
  | { readonly _tag: "Connected"; readonly server: ServerRecord; readonly motd: string }
  | { readonly _tag: "Disconnected"; readonly server: ServerRecord | undefined; readonly reason: string; readonly byUser: boolean }
  | {
    readonly _tag: "MessageReceived"
    readonly server: ServerRecord
    readonly to: string
    readonly from: string
    readonly text: string
    readonly stamp: Date
    /** An administrative broadcast ("ADMINISTRATIVE BROADCAST:\n" + text). */
    readonly broadcast: boolean
  }
  | { readonly _tag: "Hook"; readonly event: HookEvent }
  | { readonly _tag: "ShutdownScheduled"; readonly at: Date }
  | { readonly _tag: "Notice"; readonly level: "info" | "warning" | "error"; readonly text: string }
  | { readonly _tag: "PacketDump"; readonly direction: "sent" | "received"; readonly text: string }
  /** A REQ reply (asked for, auto-REQ or MSG's first REQ) offered a key different from the pinned one. */
  | { readonly _tag: "KeyChanged"; readonly server: ServerRecord; readonly username: string; readonly pinned: string; readonly offered: string }

export const BROADCAST_PREFIX = "ADMINISTRATIVE BROADCAST:\n"

const initialState: ClientState = {
  connection: "disconnected",
  server: undefined,
  motd: undefined,
  user: undefined,
  permission: undefined,
  verbose: false,
  lastDisconnect: undefined
}

const utf8 = new TextDecoder("utf-8", { fatal: false })

export class Client extends Effect.Service<Client>()("client/Client", {
  scoped: Effect.gen(function*() {
    const connection = yield* Connection
    const store = yield* Store
    const state = yield* SubscriptionRef.make<ClientState>(initialState)
    const events = yield* PubSub.sliding<ClientEvent>(4096)
    let server: ServerRecord | undefined
    let session: Session | undefined
    /** Reusable tokens by `serverId/username`, kept for the life of the process. */
    const tokens = new Map<string, string>()
    /** Senders being requested automatically (first message from an unknown user). */
    const autoRequests = new Set<string>()
    const scope = yield* Effect.scope
    const contactBits = yield* contactKeyBits

    const update = (f: (s: ClientState) => ClientState) => SubscriptionRef.update(state, f)
    const publish = (e: ClientEvent) => PubSub.publish(events, e)
    const notice = (level: "info" | "warning" | "error", text: string) => publish({ _tag: "Notice", level, text })

    /** Pin the key of a sender we never requested, so we can answer them. */
    const autoRequest = (s: Session, sender: string) =>
      Effect.gen(function*() {
        const key = `${s.server.serverId}/${sender}`
        if (sender === s.account.username || autoRequests.has(key)) return
        if ((yield* store.getContact(s.server.serverId, sender)) !== undefined) return
        autoRequests.add(key)
        const reply = yield* connection.request({ action: Action.REQ, args: [sender] }, { expect: [Action.REQ] })
        const decoded = decodeServerMessage(reply)
        if (Either.isLeft(decoded) || decoded.right._tag !== "ReqReply") return
        const pub = checkContactKey(decoded.right.publicKey, contactBits)
        if (Either.isLeft(pub)) {
          return yield* notice("warning", `the key the server offers for ${sender} is refused (${pub.left}): it was not pinned`)
        }
        if ((yield* store.getContact(s.server.serverId, sender)) !== undefined) return
        yield* store.pinContact({
          serverId: s.server.serverId,
          username: sender,
          publicKey: decoded.right.publicKey,
          fingerprint: pub.right.fingerprint,
          permission: decoded.right.permission
        })
        yield* notice("info", `pinned the public key of ${sender} (${pub.right.fingerprint})`)
      }).pipe(
        // a lost connection is reported on its own (or is the user's own disconnect, as at the end of a
        // one-shot command); the key is requested again with the sender's next message
        Effect.catchAll((e) => e._tag === "ConnectionLost" ? Effect.void : notice("warning", `could not request ${sender}: ${e.message}`)),
        Effect.ensuring(Effect.sync(() => autoRequests.delete(`${s.server.serverId}/${sender}`)))
      )

    const onReciv = (packet: Packet) =>
      Effect.gen(function*() {
        const s = session
        if (s === undefined) return yield* notice("warning", "a message arrived while no account is logged in; it was dropped")
        const decoded = decodeServerMessage(packet)
        if (Either.isLeft(decoded) || decoded.right._tag !== "Reciv") {
          return yield* notice("error", "the server sent a malformed message (RECIV); it was dropped")
        }
        const m = decoded.right
        const plain = decrypt(s.privateKey, m.ciphertext)
        if (Either.isLeft(plain)) {
          return yield* notice("error", `a message from ${m.sender} could not be decrypted with your key; it was dropped`)
        }
        const full = utf8.decode(plain.right)
        const broadcast = full.startsWith(BROADCAST_PREFIX)
        const text = broadcast ? full.slice(BROADCAST_PREFIX.length) : full
        yield* store.addMessage({ localId: s.account.localId, peer: m.sender, direction: "in", stamp: m.stamp, text: full })
        if (!broadcast) yield* store.setConversationOpen(s.account.localId, m.sender, true)
        yield* publish({ _tag: "MessageReceived", server: s.server, to: s.account.username, from: m.sender, text, stamp: m.stamp, broadcast })
        yield* Effect.forkIn(autoRequest(s, m.sender), scope)
      }).pipe(Effect.catchAll((e) => notice("error", `could not store a received message: ${e.message}`)))

    const onUnsolicited = (packet: Packet): Effect.Effect<void> => {
      switch (packet.action) {
        case Action.RECIV:
          return onReciv(packet)
        case Action.HOOK: {
          const decoded = decodeServerMessage(packet)
          if (Either.isLeft(decoded)) return notice("error", "the server sent a malformed HOOK; it was ignored")
          const m = decoded.right
          switch (m._tag) {
            case "HookNewLogin":
              return publish({ _tag: "Hook", event: { hook: "NEWLOGIN", username: m.username, permission: m.permission } })
            case "HookNewLogout":
              return publish({ _tag: "Hook", event: { hook: "NEWLOGOUT", username: m.username } })
            case "HookDupSess":
              return publish({ _tag: "Hook", event: { hook: "DUPSESS", ip: m.ip } })
            case "HookPermsChg":
              return Effect.zipRight(
                session !== undefined && session.account.username === m.username
                  ? update((st) => ({ ...st, permission: m.permission }))
                  : Effect.void,
                publish({ _tag: "Hook", event: { hook: "PERMSCHG", username: m.username, permission: m.permission } })
              )
            default:
              return Effect.void
          }
        }
        case Action.SHTDWN: {
          const decoded = decodeServerMessage(packet)
          if (Either.isLeft(decoded) || decoded.right._tag !== "Shtdwn") {
            return notice("error", "the server sent a malformed SHTDWN; it was ignored")
          }
          return publish({ _tag: "ShutdownScheduled", at: decoded.right.stamp })
        }
        default:
          return Effect.void // Null-ID ERR: the reason is reported with the disconnection
      }
    }

    const onConnectionEvent = (e: ConnectionEvent) => {
      switch (e._tag) {
        case "Unsolicited":
          return onUnsolicited(e.packet)
        case "PacketDump":
          return publish(e)
        case "Connected":
          return Effect.void // announced by `connected`, which knows the server record
        case "Disconnected": {
          const was = server
          session = undefined
          server = undefined
          return Effect.zipRight(
            update((st) => ({ ...st, connection: "disconnected", server: undefined, motd: undefined, user: undefined, permission: undefined, lastDisconnect: e.reason })),
            publish({ _tag: "Disconnected", server: was, reason: e.reason, byUser: e.byUser })
          )
        }
      }
    }

    // Handle connection events inline in the reader: by the time a request's reply is
    // delivered, every message the server sent before it is stored and announced.
    yield* connection.setHandler((e) => onConnectionEvent(e).pipe(Effect.catchAllCause((c) => Effect.logError(c))))

    return {
      /** Watch it with `state.changes` (a Stream that starts with the current value). */
      state,
      /** Incoming messages, hooks, shutdown notices, disconnections, notices, packet dumps. */
      events: Stream.fromPubSub(events),
      /** Scoped subscription to `events` (nothing is missed after it returns). */
      subscribe: PubSub.subscribe(events),
      connection,
      store,
      /** Called by CONN while connecting / once connected. */
      connecting: (s: ServerRecord) =>
        Effect.sync(() => {
          server = s
        }).pipe(Effect.zipRight(update((st) => ({ ...st, connection: "connecting", server: s })))),
      connected: (s: ServerRecord, motd: string) =>
        Effect.zipRight(
          update((st) => ({ ...st, connection: "connected", server: s, motd, lastDisconnect: undefined })),
          publish({ _tag: "Connected", server: s, motd })
        ),
      connectFailed: Effect.suspend(() => {
        server = undefined
        return update((st) => ({ ...st, connection: "disconnected", server: undefined }))
      }),
      /** The server of the open connection. */
      server: Effect.suspend(() => (server === undefined ? Effect.fail(new NotConnected()) : Effect.succeed(server))),
      /** The logged-in session (NotConnected when there is not even a connection). */
      session: Effect.suspend((): Effect.Effect<Session, NotLoggedIn | NotConnected> =>
        session !== undefined
          ? Effect.succeed(session)
          : server === undefined
          ? Effect.fail(new NotConnected())
          : Effect.fail(new NotLoggedIn())
      ),
      currentSession: Effect.sync(() => session),
      loggedIn: (s: Session, permission: number | undefined) =>
        Effect.suspend(() => {
          session = s
          return update((st) => ({ ...st, user: s.account.username, permission }))
        }),
      setPermission: (permission: number) => update((st) => ({ ...st, permission })),
      loggedOut: Effect.suspend(() => {
        session = undefined
        return update((st) => ({ ...st, user: undefined, permission: undefined }))
      }),
      getToken: (serverId: number, username: string) => Effect.sync(() => tokens.get(`${serverId}/${username}`)),
      setToken: (serverId: number, username: string, token: string | undefined) =>
        Effect.sync(() => {
          if (token === undefined) tokens.delete(`${serverId}/${username}`)
          else tokens.set(`${serverId}/${username}`, token)
        }),
      setVerbose: (on: boolean) =>
        Effect.zipRight(connection.setVerbose(on), update((st) => ({ ...st, verbose: on }))),
      /** Publish a Notice event. */
      notice,
      /** Publish an event (used by commands, e.g. KeyChanged). */
      publish
    } as const
  })
}) {}
