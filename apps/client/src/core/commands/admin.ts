/**
 * ADMIN: server administration (needs permission level 1, or 2 for setperms and motd).
 * Operations: shutdown <minutes>, broadcast <text>, ban <user>, kick <user>,
 * setperms <user> <0|1|2>, motd <text>.
 */
import { Action, AdminOp, encodeStamp, ErrorCode } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"
import { ServerError, UsageError } from "../errors.js"
import { checkUsername, utf8Encode } from "./_shared.js"

export const ADMIN_OPERATIONS = ["shutdown", "broadcast", "ban", "kick", "setperms", "motd"] as const
export type AdminOperation = (typeof ADMIN_OPERATIONS)[number]

/** Longest broadcast text: the server encrypts "ADMINISTRATIVE BROADCAST:\n" + text in one RSA block. */
export const BROADCAST_MAX_BYTES = 420

const usage = (reason: string) => new UsageError({ reason })

export const admin = Effect.fn("commands.admin")(function*(input: { readonly op: string; readonly args: ReadonlyArray<string> }) {
  const client = yield* Client
  yield* client.session
  const op = input.op.toLowerCase() as AdminOperation
  const args = input.args
  const rest = args.join(" ")
  let info: number
  let wire: Array<Uint8Array | string>
  switch (op) {
    case "shutdown": {
      const minutes = Number(args[0])
      if (args.length < 1 || !Number.isInteger(minutes) || minutes < 0) {
        return yield* usage("usage: ADMIN shutdown <minutes> (a whole number, 0 or more)")
      }
      const at = Math.ceil(Date.now() / 1000) + minutes * 60 + (minutes === 0 ? 1 : 0)
      info = AdminOp.SHTDWN
      wire = [encodeStamp(at)]
      break
    }
    case "broadcast":
    case "motd": {
      if (rest.length === 0) return yield* usage(`usage: ADMIN ${op} <text>`)
      if (op === "broadcast" && utf8Encode(rest).length > BROADCAST_MAX_BYTES) {
        return yield* usage(`a broadcast is at most ${BROADCAST_MAX_BYTES} bytes`)
      }
      info = op === "broadcast" ? AdminOp.BRDCAST : AdminOp.MOTD
      wire = [rest]
      break
    }
    case "ban":
    case "kick": {
      if (args.length !== 1) return yield* usage(`usage: ADMIN ${op} <user>`)
      info = op === "ban" ? AdminOp.DEREG : AdminOp.KICK
      wire = [yield* checkUsername(args[0])]
      break
    }
    case "setperms": {
      const level = Number(args[1])
      if (args.length !== 2 || !Number.isInteger(level) || level < 0 || level > 2) {
        return yield* usage("usage: ADMIN setperms <user> <level> (0 user, 1 admin, 2 owner)")
      }
      info = AdminOp.CHGPERMS
      wire = [yield* checkUsername(args[0]), Uint8Array.of(level)]
      break
    }
    default:
      return yield* usage(`unknown admin operation "${input.op}": use one of ${ADMIN_OPERATIONS.join(", ")}`)
  }
  yield* client.connection.request({ action: Action.ADMIN, info, args: wire }).pipe(
    Effect.catchTag("ServerError", (e) => {
      const detail = e.code === ErrorCode.PERMS
        ? `your permission level does not allow ADMIN ${op} ${
          op === "motd"
            ? "(owners only)"
            : op === "shutdown" || op === "broadcast"
            ? "(admins only)"
            : "(admins only, on users below their level; setperms: owners)"
        }`
        : e.code === ErrorCode.NOSECURE
        ? `ADMIN ${op} needs a TLS connection (CONN a TLS server)`
        : undefined
      return Effect.fail(detail === undefined ? e : new ServerError({ action: e.action, code: e.code, detail }))
    })
  )
  return { op }
})
