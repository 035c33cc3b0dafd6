/**
 * The failures of @gochat/crypto, as values. Every one is expected (bad input from a peer, a wrong
 * password, a message too long): callers branch on `_tag`, nothing here throws for bad data.
 */
import { Data } from "effect"

/** A public key that is not PEM, not an RSA key, not canonical DER, or not of the required size. */
export class InvalidPublicKey extends Data.TaggedError("InvalidPublicKey")<{ readonly reason: string }> {}

/** A private key that is not PEM, not an RSA key, or not of the required size. */
export class InvalidPrivateKey extends Data.TaggedError("InvalidPrivateKey")<{ readonly reason: string }> {}

/** An OAEP plaintext longer than one block of the recipient's key allows (446 bytes for RSA-4096). */
export class PlaintextTooLong extends Data.TaggedError("PlaintextTooLong")<{
  readonly length: number
  readonly max: number
}> {}

/** An OAEP ciphertext that does not decrypt with this private key (wrong key, corrupted, not OAEP-SHA-256). */
export class DecryptionFailed extends Data.TaggedError("DecryptionFailed")<{ readonly reason: string }> {}

/**
 * A private-key blob that does not authenticate with this password. AES-GCM cannot tell a wrong
 * password from a corrupted or truncated blob, so both end here; the blob is never half-decrypted.
 */
export class WrongPassword extends Data.TaggedError("WrongPassword")<{}> {}

/** node:crypto refused to generate a key pair (e.g. an unsupported modulus size). */
export class KeyGenerationFailed extends Data.TaggedError("KeyGenerationFailed")<{ readonly reason: string }> {}
