/** Small helpers shared by the command modules. */
import { normalizeUsername, USERNAME_REGEX } from "@gochat/protocol"
import { Effect } from "effect"
import { UsageError } from "../errors.js"

export const utf8Encode = (s: string): Uint8Array => new TextEncoder().encode(s)
export const utf8Decode = (b: Uint8Array): string => new TextDecoder().decode(b)

/** Lowercase a username and check it against the protocol's rules. */
export const checkUsername = (raw: string) =>
  Effect.suspend(() => {
    const name = normalizeUsername(raw.trim())
    return USERNAME_REGEX.test(name)
      ? Effect.succeed(name)
      : Effect.fail(new UsageError({ reason: `invalid username "${raw}": use 1 to 32 lowercase letters or digits` }))
  })

export const requireNonEmpty = (what: string, value: string) =>
  value.length === 0 ? Effect.fail(new UsageError({ reason: `${what} cannot be empty` })) : Effect.void
