/**
 * Logging users in and out of connections: the one-session-per-user check (atomic in `Presence`, across
 * the whole service), the NEWLOGIN / NEWLOGOUT / DUPSESS hooks, token bookkeeping and subscription cleanup.
 */
import { ErrorCode } from "@gochat/protocol"
import { Effect } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
import { refuse } from "../server/Refusal.js"
import { LocalEndpoints } from "./LocalEndpoints.js"
import { type Endpoint, type OnlineUser, Presence } from "./Presence.js"
import { Tokens } from "./Tokens.js"
import { Verifications } from "./Verifications.js"

// Untraced functions: a traced Effect.fn captures a stack trace per call, and every login runs these.
export class Sessions extends Effect.Service<Sessions>()("server/Sessions", {
  effect: Effect.gen(function*() {
    const presence = yield* Presence
    const local = yield* LocalEndpoints
    const verifications = yield* Verifications
    const { logLevel } = yield* ServerConfig
    // the login and logout lines are INFO: below that level not even their annotations are built
    const infoOn = logLevel === "ALL" || logLevel === "DEBUG" || logLevel === "INFO"
    const logSession = (message: string, user: string, conn: number) =>
      infoOn ? Effect.annotateLogs(Effect.logInfo(message), { user, conn }) : Effect.void
    const tokens = yield* Tokens

    /** Binds a user to a connection, or fails with ERR_DUPSESS (and tells the holder) if it is online elsewhere. */
    const login = Effect.fnUntraced(function*(endpoint: Endpoint, user: OnlineUser) {
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
      yield* logSession("login", user.name, endpoint.id)
      presence.publish({ _tag: "NewLogin", name: user.name, permission: user.permission })
    })

    /**
     * Ends the connection's session and pending challenges; drops its hook subscriptions. Returns the user
     * that was logged in, if any. The session's token (TLS) starts its expiry unless `dropToken`.
     */
    const logout = Effect.fnUntraced(function*(endpoint: Endpoint, options?: { readonly dropToken?: boolean }) {
      verifications.cancelConnection(endpoint.id)
      endpoint.hooks.clear()
      const user = yield* presence.release(endpoint)
      if (user === undefined) return undefined
      // a token store that cannot be reached (Redis away) does not keep the session from ending
      yield* Effect.catchAllDefect(
        options?.dropToken ? tokens.drop(user.name) : tokens.sessionEnded(user.name, endpoint.id),
        (defect) => Effect.logWarning("token bookkeeping failed", defect)
      )
      yield* logSession("logout", user.name, endpoint.id)
      presence.publish({ _tag: "NewLogout", name: user.name })
      return user
    })

    /** The connection is gone. */
    const disconnected = Effect.fnUntraced(function*(endpoint: Endpoint) {
      yield* logout(endpoint)
      local.unregister(endpoint)
    })

    return { login, logout, disconnected } as const
  })
}) {}
