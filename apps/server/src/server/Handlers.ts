/**
 * The slow path: every client action that is not relayed synchronously by `Relay`. Each action is a module
 * in `actions/` (named after it) giving its gate and its run; the table below maps action codes to them.
 * A packet passes its action's gate, its run decodes it once into a typed message and replies on the
 * connection. A `Refusal` becomes ERR(code) with the request ID; a database failure (SqlError) or a defect
 * becomes ERR_SERVER here, in one place. The connection stays open in every case.
 */
import { Action, decodeClientMessage, ErrorCode, type Packet, ProtocolError } from "@gochat/protocol"
import { Cause, Effect, Either, FiberRef, HashMap } from "effect"
import { admin } from "./actions/admin.js"
import { type ActionEffect, type ActionHandler, fromProtocol, makeActionContext } from "./actions/context.js"
import { dereg } from "./actions/dereg.js"
import { login } from "./actions/login.js"
import { logout } from "./actions/logout.js"
import { msg } from "./actions/msg.js"
import { reciv } from "./actions/reciv.js"
import { reg } from "./actions/reg.js"
import { req } from "./actions/req.js"
import { sub } from "./actions/sub.js"
import { unsub } from "./actions/unsub.js"
import { usrs } from "./actions/usrs.js"
import { verif } from "./actions/verif.js"
import { type Connection, errFrame } from "./Connection.js"
import { refuse } from "./Refusal.js"

/** Actions only a server sends: refused from a client (ERR_NOSESS before login, ERR_INVALID after). */
const serverOnly: ActionHandler = {
  gate: "any",
  run: (_conn, _packet, user) => refuse(user === undefined ? ErrorCode.NOSESS : ErrorCode.INVALID, "server-only action")
}

/** KEEP only resets the idle deadline (the connection did that on reading it). */
const keep: ActionHandler = { gate: "any", run: () => Effect.void }

/** An action code no client action has: ERR_NOSESS before login, then the decoder's refusal. */
const unknown: ActionHandler = {
  gate: "session",
  run: (_conn, packet) => {
    const decoded = decodeClientMessage(packet)
    return Either.isLeft(decoded) ? fromProtocol(decoded.left) : refuse(ErrorCode.INVALID, `unexpected ${decoded.right._tag}`)
  }
}

export class Handlers extends Effect.Service<Handlers>()("server/Handlers", {
  effect: Effect.gen(function*() {
    const ctx = yield* makeActionContext

    const table = new Map<number, ActionHandler>([
      [Action.REG, reg(ctx)],
      [Action.LOGIN, login(ctx)],
      [Action.VERIF, verif(ctx)],
      [Action.LOGOUT, logout(ctx)],
      [Action.DEREG, dereg(ctx)],
      [Action.REQ, req(ctx)],
      [Action.USRS, usrs(ctx)],
      [Action.MSG, msg(ctx)],
      [Action.RECIV, reciv(ctx)],
      [Action.SUB, sub(ctx)],
      [Action.UNSUB, unsub()],
      [Action.ADMIN, admin(ctx)],
      [Action.KEEP, keep],
      [Action.OK, serverOnly],
      [Action.ERR, serverOnly],
      [Action.SHTDWN, serverOnly],
      [Action.HOOK, serverOnly],
      [Action.HELLO, serverOnly]
    ])

    /** The action's gate, then its run. */
    const dispatch = (conn: Connection, packet: Packet): ActionEffect => {
      const action = table.get(packet.action) ?? unknown
      const user = conn.user
      switch (action.gate) {
        case "anonymous":
          return user === undefined ? action.run(conn, packet) : refuse(ErrorCode.INVALID, "already logged in")
        case "session":
          return user === undefined ? refuse(ErrorCode.NOSESS) : action.run(conn, packet, user)
        case "any":
          return action.run(conn, packet, user)
      }
    }

    /**
     * Handles one packet; never fails: every failure becomes an ERR reply with the request ID. Runs as its
     * own fiber (Listeners), so the log annotations are set on it once rather than scoped with
     * `annotateLogs` (an acquire/use/release per packet).
     */
    const handle = (conn: Connection, packet: Packet): Effect.Effect<void> =>
      Effect.zipRight(
        FiberRef.update(FiberRef.currentLogAnnotations, (a) =>
          a.pipe(
            HashMap.set("conn", conn.id as unknown),
            HashMap.set("ip", conn.ip as unknown),
            HashMap.set("user", (conn.user?.name ?? "-") as unknown),
            HashMap.set("id", packet.id as unknown)
          )),
        Effect.suspend(() => dispatch(conn, packet))
      ).pipe(
        Effect.catchTags({
          Refusal: (r) =>
            Effect.zipRight(
              Effect.sync(() => conn.send(errFrame(packet.id, r.code))),
              Effect.logDebug("refused", r.message)
            ),
          SqlError: (e) =>
            Effect.zipRight(
              Effect.sync(() => conn.send(errFrame(packet.id, ErrorCode.SERVER))),
              Effect.logError("database error", e.message, e.cause)
            )
        }),
        Effect.catchAllDefect((defect) =>
          Effect.zipRight(
            Effect.sync(() =>
              conn.send(errFrame(packet.id, defect instanceof ProtocolError ? ErrorCode.PACKET : ErrorCode.SERVER))
            ),
            Effect.logError("request failed", Cause.pretty(Cause.die(defect)))
          ))
      )

    return { handle } as const
  })
}) {}
