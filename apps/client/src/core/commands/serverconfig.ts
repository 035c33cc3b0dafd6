/** SERVERCONFIG: the settings of a stored server, as SETSERVER names them. */
import { Effect } from "effect"
import { Client } from "../Client.js"

export const serverconfig = Effect.fn("commands.serverconfig")(function*(input: { readonly name: string }) {
  const client = yield* Client
  const s = yield* client.store.requireServer(input.name)
  return [
    { field: "Server.Name", value: s.name },
    { field: "Server.Address", value: s.address },
    { field: "Server.Port", value: String(s.port) },
    { field: "Server.TLS", value: String(s.tls) },
    { field: "Server.VerifyTLS", value: String(s.verifyTls) }
  ] as const
})
