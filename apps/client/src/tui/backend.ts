/**
 * The narrow surface the TUI needs from the client core. Every method is an Effect run in a fiber
 * of the TUI's ManagedRuntime, so nothing here ever blocks rendering. `coreBackend.ts` adapts the
 * real core to it; tests use an in-memory implementation.
 */
import { Data, type Effect, type Stream } from "effect"

/** A failure the TUI shows as a readable line. */
export class BackendError extends Data.TaggedError("tui/BackendError")<{ readonly message: string }> {}

/** A remote server as the local store knows it. */
export interface ServerRecord {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly tls: boolean
}

/** One message of a stored conversation; `outgoing` is true for the ones this account sent. */
export interface StoredMessage {
  readonly peer: string
  readonly outgoing: boolean
  readonly stamp: number
  readonly text: string
}

export interface OnlineUser {
  readonly name: string
  readonly permission: number
}

export type UsersScope = "remote-all" | "remote-online" | "local-all" | "local-server"

export type HookName = "all" | "new_login" | "new_logout" | "duplicated_session" | "permissions_change"
export const HOOK_NAMES: ReadonlyArray<HookName> = [
  "all",
  "new_login",
  "new_logout",
  "duplicated_session",
  "permissions_change"
]

export type AdminOp = "shutdown" | "broadcast" | "ban" | "kick" | "setperms" | "motd"
export const ADMIN_OPS: ReadonlyArray<AdminOp> = ["shutdown", "broadcast", "ban", "kick", "setperms", "motd"]

/** What opening (or reopening) a conversation yields. */
export interface Conversation {
  readonly peer: string
  readonly history: ReadonlyArray<StoredMessage>
  /** Set when the key the server returned differs from the pinned one (the pinned one is kept). */
  readonly keyChange?: KeyChange
}

export interface KeyChange {
  readonly pinned: string
  readonly offered: string
}

/** Things that happen on a connection without being asked for. */
export type BackendEvent =
  | { readonly _tag: "Message"; readonly server: string; readonly sender: string; readonly stamp: number; readonly text: string }
  | { readonly _tag: "Broadcast"; readonly server: string; readonly sender: string; readonly stamp: number; readonly text: string }
  | { readonly _tag: "UserLogin"; readonly server: string; readonly user: string; readonly permission: number }
  | { readonly _tag: "UserLogout"; readonly server: string; readonly user: string }
  | { readonly _tag: "PermissionChanged"; readonly server: string; readonly user: string; readonly permission: number }
  | { readonly _tag: "DuplicateSession"; readonly server: string; readonly ip: string }
  | { readonly _tag: "Shutdown"; readonly server: string; readonly at: number }
  | { readonly _tag: "Disconnected"; readonly server: string; readonly reason: string }
  | { readonly _tag: "KeyChanged"; readonly server: string; readonly user: string; readonly change: KeyChange }
  /** A packet sent or received, for the Debug buffer (only with --verbose and `debug_buffer`). */
  | { readonly _tag: "Packet"; readonly server: string; readonly direction: "sent" | "received"; readonly text: string }
  /** Something the core did on its own that is worth a line (e.g. pinned a new sender's key). */
  | { readonly _tag: "Notice"; readonly server: string; readonly level: "info" | "warning" | "error"; readonly text: string }

export interface TuiBackend {
  /** Remote servers in the local store, in their stored order. */
  readonly servers: Effect.Effect<ReadonlyArray<ServerRecord>, BackendError>
  readonly addServer: (server: ServerRecord) => Effect.Effect<void, BackendError>
  readonly deleteServer: (name: string) => Effect.Effect<void, BackendError>
  /** Changes stored fields of a server (only while disconnected); may rename it. */
  readonly updateServer: (name: string, patch: Partial<ServerRecord>) => Effect.Effect<ServerRecord, BackendError>

  readonly connect: (
    server: string,
    options: { readonly noVerify: boolean; readonly noIdle: boolean }
  ) => Effect.Effect<{ readonly motd: string }, BackendError>
  readonly disconnect: (server: string) => Effect.Effect<void, BackendError>

  /** Generates the key pair, sends REG and stores the encrypted private key. */
  readonly register: (server: string, username: string, password: string) => Effect.Effect<void, BackendError>
  /** LOGIN/VERIF with the stored key; yields the permission level of the account. */
  readonly login: (server: string, username: string, password: string) => Effect.Effect<{ readonly permission: number }, BackendError>
  readonly logout: (server: string) => Effect.Effect<void, BackendError>
  /** Deregisters the logged-in account (after checking its password) and forgets it locally. */
  readonly deregister: (server: string, password: string) => Effect.Effect<string, BackendError>

  /** USRS ONLINEPERMS. */
  readonly onlineUsers: (server: string) => Effect.Effect<ReadonlyArray<OnlineUser>, BackendError>
  /** Lines to show for /users. */
  readonly listUsers: (server: string, scope: UsersScope, perms: boolean) => Effect.Effect<ReadonlyArray<string>, BackendError>
  /** RECIV catch-up; the messages arrive as `Message` events. `empty`: the server kept none. */
  readonly catchUp: (server: string) => Effect.Effect<{ readonly empty: boolean }, BackendError>
  readonly subscribe: (server: string, hook: HookName) => Effect.Effect<void, BackendError>
  readonly unsubscribe: (server: string, hook: HookName) => Effect.Effect<void, BackendError>
  readonly admin: (server: string, op: AdminOp, args: ReadonlyArray<string>) => Effect.Effect<void, BackendError>

  /** Open conversations of the logged-in account to reopen at login, in the order they were opened. */
  readonly conversations: (server: string) => Effect.Effect<ReadonlyArray<string>, BackendError>
  /** REQs the peer if its key is unknown, remembers the conversation, loads its history. */
  readonly openConversation: (server: string, peer: string) => Effect.Effect<Conversation, BackendError>
  /** The stored messages of a conversation, without asking the server anything. */
  readonly history: (server: string, peer: string) => Effect.Effect<ReadonlyArray<StoredMessage>, BackendError>
  /** Closes the conversation: not reopened at login until opened again or the peer writes (its messages stay stored). */
  readonly closeConversation: (server: string, peer: string) => Effect.Effect<void, BackendError>
  /** Encrypts and sends one MSG; yields the stamp it carried (ms), as stored. */
  readonly send: (server: string, peer: string, text: string) => Effect.Effect<number, BackendError>

  readonly importKey: (server: string, username: string, path: string, password: string) => Effect.Effect<void, BackendError>
  /** Yields the path written. */
  readonly exportKey: (server: string, username: string, password: string) => Effect.Effect<string, BackendError>
  /** Yields the files written. */
  readonly recover: (username: string, password: string, cleanup: boolean) => Effect.Effect<ReadonlyArray<string>, BackendError>

  /** Accepts the key the server now offers for the peer. Yields its fingerprint. */
  readonly trust: (server: string, peer: string) => Effect.Effect<string, BackendError>
  /** Fingerprint of the peer's pinned key, or of the own key when `peer` is undefined. */
  readonly fingerprint: (server: string, peer: string | undefined) => Effect.Effect<string, BackendError>

  /** Unsolicited events of every connection. */
  readonly events: Stream.Stream<BackendEvent>
  readonly version: string
}
