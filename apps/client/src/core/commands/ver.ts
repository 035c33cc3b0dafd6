/** VER: protocol and client versions. */
import { PROTOCOL_VERSION } from "@gochat/protocol"
import { Effect } from "effect"

export const CLIENT_VERSION = "1.0.0"

export const ver = Effect.fn("commands.ver")(function*() {
  return { protocol: PROTOCOL_VERSION, client: CLIENT_VERSION }
})
