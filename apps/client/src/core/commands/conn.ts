/** CONN: connect to a server, by its name in the local store or by address and port. */
import { Duration, Effect, SubscriptionRef } from "effect"
import { Client } from "../Client.js"
import { AlreadyConnected, ConnectionLost, UsageError } from "../errors.js"
import type { ServerRecord } from "../Store.js"

export interface ConnInput {
  /** Name of a stored server (REGSERVER). */
  readonly server?: string
  /** Or an address and port; an unknown pair is stored as a new server named "address:port"
   *  once the connection succeeds. */
  readonly address?: string
  readonly port?: number
  /** Override the stored TLS flag (for a new address, default false). */
  readonly tls?: boolean
  /** Skip certificate verification (TLS only). */
  readonly insecure?: boolean
  /** Extra trusted CA certificate(s) in PEM, e.g. a self-signed server certificate. */
  readonly ca?: string
  /** KEEP interval; false disables keep-alive. Default 5 minutes. */
  readonly keepAlive?: Duration.DurationInput | false
  /** Default 20 s. */
  readonly helloTimeout?: Duration.DurationInput
}

export interface ConnResult {
  readonly server: ServerRecord
  readonly motd: string
}

export const conn = Effect.fn("commands.conn")(function*(input: ConnInput) {
  const client = yield* Client
  const current = yield* SubscriptionRef.get(client.state)
  if (current.connection !== "disconnected") {
    return yield* new AlreadyConnected({ server: current.server?.name ?? "a server" })
  }
  let server: ServerRecord
  /** A new address is stored only if the connection succeeds. */
  let created = false
  if (input.server !== undefined) {
    server = yield* client.store.requireServer(input.server)
  } else if (input.address !== undefined && input.port !== undefined) {
    if (!Number.isInteger(input.port) || input.port < 1 || input.port > 65535) {
      return yield* new UsageError({ reason: `invalid port ${input.port}: use a number from 1 to 65535` })
    }
    const known = yield* client.store.findServerByAddress(input.address, input.port)
    created = known === undefined
    server = known ?? (yield* client.store.addServer({
        name: `${input.address}:${input.port}`,
        address: input.address,
        port: input.port,
        tls: input.tls ?? false
      }))
  } else {
    return yield* new UsageError({ reason: "give a server name, or an address and a port (CONN <name> | CONN <address> <port>)" })
  }
  const effective: ServerRecord = {
    ...server,
    tls: input.tls ?? server.tls,
    verifyTls: input.insecure === true ? false : server.verifyTls
  }
  if (input.insecure === true && !effective.tls) {
    if (created) yield* client.store.deleteServer(server.name).pipe(Effect.ignore)
    return yield* new UsageError({ reason: "--insecure only applies to TLS connections (add --tls or use a TLS server)" })
  }
  yield* client.connecting(effective)
  const { motd } = yield* client.connection.connect(
    {
      name: effective.name,
      address: effective.address,
      port: effective.port,
      tls: effective.tls,
      verifyTls: effective.verifyTls,
      ...(input.ca !== undefined ? { ca: input.ca } : {})
    },
    {
      ...(input.keepAlive !== undefined ? { keepAlive: input.keepAlive } : {}),
      ...(input.helloTimeout !== undefined ? { helloTimeout: input.helloTimeout } : {})
    }
  ).pipe(
    Effect.tapError(() =>
      Effect.zipRight(
        client.connectFailed,
        created ? client.store.deleteServer(server.name).pipe(Effect.ignore) : Effect.void
      )
    )
  )
  yield* client.connected(effective, motd)
  const after = yield* SubscriptionRef.get(client.connection.state)
  if (after._tag !== "Connected") {
    // dropped right after the greeting: the Disconnected event may have come first
    yield* client.connectFailed
    return yield* new ConnectionLost({ reason: after._tag === "Disconnected" ? (after.reason ?? "the connection closed") : "the connection closed" })
  }
  return { server: effective, motd } satisfies ConnResult
})
