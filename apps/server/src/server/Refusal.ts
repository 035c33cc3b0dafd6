/**
 * A request the server refuses: becomes ERR(code) with the request's ID; the connection stays open.
 * Infrastructure failures (SqlError) are turned into ERR_SERVER in one place, `Handlers.run`.
 */
import { errorName } from "@gochat/protocol"
import { Schema } from "effect"

export class Refusal extends Schema.TaggedError<Refusal>()("Refusal", {
  code: Schema.Number,
  message: Schema.String
}) {}

/** A refusal with the given ERR code; the reason is for logs only (the wire carries just the code). */
export const refuse = (code: number, reason?: string): Refusal =>
  new Refusal({ code, message: reason === undefined ? errorName(code) : `${errorName(code)}: ${reason}` })
