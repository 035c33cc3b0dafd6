import { Effect } from "effect"
import { ADMIN_OPS, type AdminOp } from "../backend.js"
import { call, fail, requireLoggedIn } from "./helpers.js"
import type { SlashCommand } from "./types.js"

/** Arguments each operation takes; the last one of broadcast and motd is free text. */
const SHAPES: Record<AdminOp, { readonly usage: string; readonly count: number; readonly text: boolean }> = {
  shutdown: { usage: "shutdown <minutes>", count: 1, text: false },
  broadcast: { usage: "broadcast <text...>", count: 1, text: true },
  ban: { usage: "ban <username>", count: 1, text: false },
  kick: { usage: "kick <username>", count: 1, text: false },
  setperms: { usage: "setperms <username> <0-255>", count: 2, text: false },
  motd: { usage: "motd <text...>", count: 1, text: true }
}

export const admin: SlashCommand = {
  name: "admin",
  args: [{ name: "operation", complete: ADMIN_OPS }, { name: "arguments", rest: true, optional: true, complete: "username" }],
  summary: "run an administrative operation",
  help: ["Needs the permission level the server asks for:", ...ADMIN_OPS.map((op) => `  /admin ${SHAPES[op].usage}`)].join("\n"),
  run: (ctx, { positional }) =>
    Effect.gen(function* () {
      yield* requireLoggedIn(ctx)
      const op = positional[0].toLowerCase() as AdminOp
      if (!ADMIN_OPS.includes(op)) return yield* fail(`invalid admin operation: use ${ADMIN_OPS.join(", ")}`)
      const shape = SHAPES[op]
      const rest = (positional[1] ?? "").trim()
      const args = shape.text ? (rest === "" ? [] : [rest]) : rest.split(/\s+/).filter((a) => a !== "")
      if (args.length !== shape.count) return yield* fail(`invalid number of arguments: /admin ${shape.usage}`)
      if (op === "shutdown" && !/^\d+$/.test(args[0])) return yield* fail("the delay must be a whole number of minutes")
      if (op === "setperms" && !(/^\d+$/.test(args[1]) && Number(args[1]) <= 255))
        return yield* fail("the permission level must be a number from 0 to 255")
      yield* call(ctx.backend.admin(ctx.server.name, op, args))
      ctx.print(`admin operation ${op} sent successfully`)
    })
}
