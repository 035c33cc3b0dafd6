/**
 * The rule for a contact's public key, checked wherever one is pinned, trusted or used (REQ, the
 * automatic REQ for a new sender, TRUST, MSG): the server's rule for REG, so a hostile server cannot
 * hand us a key that is cheap to break (a 768-bit modulus) or dear to use (a huge exponent). RSA,
 * exponent 65537, a modulus size listed in `security.contact_key_bits` (4096 only by default).
 */
import { fingerprint, keyBits, parsePublicKey, type RsaPublicKey } from "@gochat/crypto"
import { Effect, Either, Option } from "effect"
import { ClientConfig, DEFAULT_CONTACT_KEY_BITS } from "./Config.js"
import { CryptoFailure } from "./errors.js"

export interface ContactKey {
  readonly key: RsaPublicKey
  readonly fingerprint: string
}

/** The sizes in force: the configuration's, or the default when no configuration is in context. */
export const contactKeyBits: Effect.Effect<ReadonlyArray<number>> = Effect.map(
  Effect.serviceOption(ClientConfig),
  (c) => Option.match(c, { onNone: () => DEFAULT_CONTACT_KEY_BITS, onSome: (cfg) => cfg.contactKeyBits })
)

/** Why `pem` is not an acceptable key for a contact, or the parsed key. */
export const checkContactKey = (pem: string, bits: ReadonlyArray<number>): Either.Either<ContactKey, string> => {
  const parsed = parsePublicKey(pem, { bits: "any" })
  if (Either.isLeft(parsed)) return Either.left(parsed.left.reason)
  const size = keyBits(parsed.right)
  if (!bits.includes(size)) {
    return Either.left(
      `RSA key is ${size} bits, expected ${bits.join(" or ")}` +
        (bits.length === 1 && bits[0] === DEFAULT_CONTACT_KEY_BITS[0] ? " (security.contact_key_bits in config.json lists other sizes)" : "")
    )
  }
  return Either.right({ key: parsed.right, fingerprint: fingerprint(parsed.right) })
}

/**
 * The key `pem` if it follows the rule, else a `CryptoFailure` of one line: which key (`whose`, e.g.
 * "the key the server offers for mallory"), what is wrong with it, and what did not happen (`outcome`).
 */
export const contactKey = (pem: string, whose: string, outcome: string) =>
  Effect.flatMap(contactKeyBits, (bits) =>
    Either.match(checkContactKey(pem, bits), {
      onLeft: (reason) => Effect.fail(new CryptoFailure({ reason: `${whose} is refused (${reason}): ${outcome}` })),
      onRight: Effect.succeed
    }))
