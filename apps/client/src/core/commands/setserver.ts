/**
 * SETSERVER: change one setting of a stored server: Server.Name, Server.Address, Server.Port,
 * Server.TLS or Server.VerifyTLS (case-insensitive; the "Server." prefix is optional).
 * Not while connected to that server.
 */
import { Effect, SubscriptionRef } from "effect"
import { Client } from "../Client.js"
import { UsageError } from "../errors.js"
import type { ServerField } from "../Store.js"

const fields: Record<string, ServerField> = {
  name: "name",
  address: "address",
  port: "port",
  tls: "tls",
  verifytls: "verify_tls",
  verify_tls: "verify_tls"
}

/** The name a setting is shown with, whatever spelling was typed. */
const canonical: Record<ServerField, string> = {
  name: "Server.Name",
  address: "Server.Address",
  port: "Server.Port",
  tls: "Server.TLS",
  verify_tls: "Server.VerifyTLS"
}

export const SERVER_FIELDS = "Server.Name, Server.Address, Server.Port, Server.TLS, Server.VerifyTLS"

const parseBool = (v: string): boolean | undefined =>
  ["true", "yes", "on", "1"].includes(v.toLowerCase()) ? true : ["false", "no", "off", "0"].includes(v.toLowerCase()) ? false : undefined

export const setserver = Effect.fn("commands.setserver")(function*(
  input: { readonly name: string; readonly field: string; readonly value: string }
) {
  const client = yield* Client
  const st = yield* SubscriptionRef.get(client.state)
  if (st.connection !== "disconnected" && st.server?.name === input.name) {
    return yield* new UsageError({ reason: `you must be disconnected from ${input.name} to change it (DISCN first)` })
  }
  const key = input.field.toLowerCase().replace(/^server\./, "")
  const field = fields[key]
  if (field === undefined) return yield* new UsageError({ reason: `unknown setting "${input.field}": use one of ${SERVER_FIELDS}` })
  let value: string | number | boolean = input.value
  switch (field) {
    case "port": {
      const port = Number(input.value)
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        return yield* new UsageError({ reason: `invalid port ${input.value}: use a number from 1 to 65535` })
      }
      value = port
      break
    }
    case "tls":
    case "verify_tls": {
      const b = parseBool(input.value)
      if (b === undefined) return yield* new UsageError({ reason: `${canonical[field]} is true or false, not "${input.value}"` })
      value = b
      break
    }
    default:
      if (input.value.trim().length === 0) return yield* new UsageError({ reason: `${canonical[field]} cannot be empty` })
  }
  yield* client.store.updateServer(input.name, field, value)
  return { name: input.name, field: canonical[field], value: String(value) }
})
