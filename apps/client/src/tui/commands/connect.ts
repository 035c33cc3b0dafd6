import { Effect } from "effect"
import { call, fail, requireRemote } from "./helpers.js"
import type { SlashCommand } from "./types.js"

export const connect: SlashCommand = {
  name: "connect",
  args: [],
  flags: ["-noverify", "-noidle"],
  summary: "connect to the current server",
  help:
    "Connects to the current server with its stored address and TLS setting, then shows its MOTD.\n" +
    "-noverify accepts any TLS certificate (TLS servers only); -noidle sends a keep-alive every 24 minutes.",
  run: (ctx, { flags }) =>
    Effect.gen(function* () {
      yield* requireRemote(ctx)
      if (ctx.server.connected) return yield* fail("connection is already established")
      const noVerify = flags.has("-noverify")
      if (noVerify && !ctx.server.tls) return yield* fail("cannot skip verification on a non-TLS endpoint")
      ctx.detail("attempting to connect...")
      const { motd } = yield* ctx.busy(
        `connecting to ${ctx.server.address}:${ctx.server.port}`,
        call(ctx.backend.connect(ctx.server.name, { noVerify, noIdle: flags.has("-noidle") }))
      )
      ctx.dispatch({ _tag: "Connected", server: ctx.server.name, motd, stamp: ctx.now() })
    })
}
