/** Requesting a user's public key and pinning it (trust on first use, explicit TRUST on change). */
import { Action, decodeServerMessage, ErrorCode } from "@gochat/protocol"
import { Effect, Either } from "effect"
import { Client } from "../Client.js"
import { contactKey } from "../contactKeys.js"
import { ProtocolViolation, ServerError } from "../errors.js"
import type { ServerRecord } from "../Store.js"

export type PinStatus = "pinned" | "unchanged" | "changed"

export interface RequestedUser {
  readonly username: string
  readonly permission: number
  readonly fingerprint: string
  /** pinned: first key seen, now pinned; unchanged: same key as pinned; changed: differs (see TRUST). */
  readonly status: PinStatus
  /** The pinned fingerprint when status is "changed". */
  readonly pinnedFingerprint: string | undefined
}

/** REQ a user from the server (raw: no pinning). */
export const requestUser = (username: string) =>
  Effect.gen(function*() {
    const client = yield* Client
    const reply = yield* client.connection.request({ action: Action.REQ, args: [username] }, { expect: [Action.REQ] }).pipe(
      Effect.catchTag("ServerError", (e) =>
        Effect.fail(
          e.code === ErrorCode.NOTFOUND
            ? new ServerError({ action: e.action, code: e.code, detail: `there is no user ${username} on this server (USRS all lists them)` })
            : e
        ))
    )
    const decoded = decodeServerMessage(reply)
    if (Either.isLeft(decoded) || decoded.right._tag !== "ReqReply") {
      return yield* new ProtocolViolation({ reason: "malformed REQ reply" })
    }
    return decoded.right
  })

/** REQ a user and pin its key, or record a changed key for TRUST. */
export const requestAndPin = (server: ServerRecord, username: string) =>
  Effect.gen(function*() {
    const client = yield* Client
    const reply = yield* requestUser(username)
    const { fingerprint: offered } = yield* contactKey(
      reply.publicKey,
      `the key the server offers for ${username}`,
      "it was not pinned, and nothing can be sent to them"
    )
    const store = client.store
    const pinned = yield* store.getContact(server.serverId, username)
    if (pinned === undefined) {
      yield* store.pinContact({
        serverId: server.serverId,
        username,
        publicKey: reply.publicKey,
        fingerprint: offered,
        permission: reply.permission
      })
      return { username, permission: reply.permission, fingerprint: offered, status: "pinned", pinnedFingerprint: undefined } as RequestedUser
    }
    yield* store.setContactPermission(server.serverId, username, reply.permission)
    if (pinned.fingerprint === offered) {
      if (pinned.pendingKey !== undefined) yield* store.setPendingKey(server.serverId, username, undefined)
      return { username, permission: reply.permission, fingerprint: offered, status: "unchanged", pinnedFingerprint: undefined } as RequestedUser
    }
    yield* store.setPendingKey(server.serverId, username, { publicKey: reply.publicKey, fingerprint: offered })
    yield* client.publish({ _tag: "KeyChanged", server, username, pinned: pinned.fingerprint, offered })
    return {
      username,
      permission: reply.permission,
      fingerprint: offered,
      status: "changed",
      pinnedFingerprint: pinned.fingerprint
    } as RequestedUser
  })
