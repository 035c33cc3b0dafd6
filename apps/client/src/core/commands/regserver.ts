/** REGSERVER: store a server under a name (address, port, TLS). */
import { Effect } from "effect"
import { Client } from "../Client.js"
import { UsageError } from "../errors.js"

export interface RegServerInput {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly tls?: boolean
  /** Verify the TLS certificate when connecting. Default true. */
  readonly verifyTls?: boolean
}

export const regserver = Effect.fn("commands.regserver")(function*(input: RegServerInput) {
  const client = yield* Client
  if (input.name.trim().length === 0) return yield* new UsageError({ reason: "the server name cannot be empty" })
  if (input.address.trim().length === 0) return yield* new UsageError({ reason: "the server address cannot be empty" })
  if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
    return yield* new UsageError({ reason: `invalid port ${input.port}: use a number from 1 to 65535` })
  }
  return yield* client.store.addServer({
    name: input.name,
    address: input.address,
    port: input.port,
    tls: input.tls === true,
    verifyTls: input.verifyTls !== false
  })
})
