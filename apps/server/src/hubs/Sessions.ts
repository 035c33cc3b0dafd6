/**
 * Logging users in and out of connections: the one-session-per-user check (atomic in `Presence`, across
 * the whole service), the NEWLOGIN / NEWLOGOUT / DUPSESS hooks, token bookkeeping and subscription cleanup.
 */
import { ErrorCode } from "@gochat/protocol"
import { Effect } from "effect"
import { refuse } from "../server/Refusal.js"
import { LocalEndpoints } from "./LocalEndpoints.js"
import { type Endpoint, type OnlineUser, Presence } from "./Presence.js"
import { Verifications } from "./Verifications.js"

export class Sessions extends Effect.Service<Sessions>()("server/Sessions", {
  effect: Effect.gen(function*() {
    const presence = yield* Presence
    const local = yield* LocalEndpoints
    const verifications = yield* Verifications

    /** Binds a user to a connection, or fails with ERR_DUPSESS (and tells the holder) if it is online elsewhere. */
    const login = Effect.fn("Sessions.login")(function*(endpoint: Endpoint, user: OnlineUser) {
      // the connection closed while the login was being checked: binding the name now would leave a
      // session nobody can end (every later login of the user would be ERR_DUPSESS)
      if (!endpoint.accepting) return yield* refuse(ErrorCode.CONN, "the connection is closing")
      if (!(yield* presence.claim(endpoint, user))) {
        presence.publish({ _tag: "DupSess", name: user.name, ip: endpoint.ip })
        return yield* refuse(ErrorCode.DUPSESS, `${user.name} is online on another connection`)
      }
      // closed while the claim was on its way (a round trip to Redis): give the session back
      if (!endpoint.accepting) {
        yield* presence.release(endpoint)
        return yield* refuse(ErrorCode.CONN, "the connection is closing")
      }
      yield* Effect.annotateLogs(Effect.logInfo("login"), { user: user.name, conn: endpoint.id })
      presence.publish({ _tag: "NewLogin", name: user.name, permission: user.permission })
    })

    /**
     * Ends the connection's session and pending challenges; drops its hook subscriptions. Returns the user
     * that was logged in, if any. The session's token (TLS) starts its expiry unless `dropToken`.
     */
    const logout = Effect.fn("Sessions.logout")(function*(endpoint: Endpoint, options?: { readonly dropToken?: boolean }) {
      yield* verifications.cancelConnection(endpoint.id)
      endpoint.hooks.clear()
      const user = yield* presence.release(endpoint)
      if (user === undefined) return undefined
      if (options?.dropToken) verifications.dropToken(user.name)
      else verifications.sessionEnded(user.name, endpoint.id)
      yield* Effect.annotateLogs(Effect.logInfo("logout"), { user: user.name, conn: endpoint.id })
      presence.publish({ _tag: "NewLogout", name: user.name })
      return user
    })

    /** The connection is gone. */
    const disconnected = Effect.fn("Sessions.disconnected")(function*(endpoint: Endpoint) {
      yield* logout(endpoint)
      local.unregister(endpoint)
    })

    return { login, logout, disconnected } as const
  })
}) {}
