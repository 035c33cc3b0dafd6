/**
 * RSA key pairs in the original's formats. On the wire a public key is Go's
 * `pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKIXPublicKey(pub)})`: SPKI DER
 * under a PKCS#1 label. Private keys are exported and imported as PKCS#1 PEM (`RSA PRIVATE KEY`).
 * node:crypto will not read the original's public PEM (wrong label for SPKI content), so armour is handled in
 * `pem.ts` and node only ever sees DER.
 */
import { createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairNode, type KeyObject } from "node:crypto"
import { Effect, Either, Option } from "effect"
import { InvalidPrivateKey, InvalidPublicKey, KeyGenerationFailed } from "./errors.js"
import { decodePem, encodePem } from "./pem.js"
import { pkcs1FromSpki, spkiFromPkcs1 } from "./spki.js"

/** The protocol's key size. */
export const RSA_BITS = 4096
/** The public exponent Go's `rsa.GenerateKey` uses. */
export const RSA_PUBLIC_EXPONENT = 65537

export type RsaPublicKey = KeyObject
export type RsaPrivateKey = KeyObject

export interface RsaKeyPair {
  readonly publicKey: RsaPublicKey
  readonly privateKey: RsaPrivateKey
}

/** Which modulus sizes a parser accepts: exactly `bits` (default 4096), or any size for interop tests. */
export interface KeySizeOptions {
  readonly bits?: number | "any"
}

export const PUBLIC_KEY_LABEL = "RSA PUBLIC KEY"
export const PRIVATE_KEY_LABEL = "RSA PRIVATE KEY"

/**
 * A new RSA key pair, generated on libuv's thread pool (0.5-2 s for 4096 bits) so the event loop keeps
 * running (spinners spin). The work cannot be cancelled once started; interrupting only drops the result.
 */
export const generateKeyPair = Effect.fn("crypto.generateKeyPair")(function* (bits: number = RSA_BITS) {
  return yield* Effect.async<RsaKeyPair, KeyGenerationFailed>((resume) => {
    try {
      generateKeyPairNode("rsa", { modulusLength: bits, publicExponent: RSA_PUBLIC_EXPONENT }, (error, publicKey, privateKey) => {
        resume(
          error === null
            ? Effect.succeed({ publicKey, privateKey })
            : Effect.fail(new KeyGenerationFailed({ reason: error.message }))
        )
      })
    } catch (error) {
      resume(Effect.fail(new KeyGenerationFailed({ reason: messageOf(error) })))
    }
  })
})

/** The modulus size of an RSA key, in bits. */
export const keyBits = (key: KeyObject): number => key.asymmetricKeyDetails?.modulusLength ?? 0

/** The public half of a private key (a public key is returned as is). */
export const publicKeyOf = (key: KeyObject): RsaPublicKey => (key.type === "public" ? key : createPublicKey(key))

/** SPKI DER of a public key (or of a private key's public half): the canonical form for uniqueness checks. */
export const canonicalPublicKey = (key: KeyObject): Uint8Array => {
  const pub = publicKeyOf(key)
  return pub.asymmetricKeyType === "rsa"
    ? spkiFromPkcs1(pub.export({ type: "pkcs1", format: "der" }))
    : new Uint8Array(pub.export({ type: "spki", format: "der" }))
}

/** The public key exactly as the Go client sends it: SPKI DER, label `RSA PUBLIC KEY`, 64 columns, LF, trailing LF. */
export const publicKeyToPem = (key: KeyObject): string => encodePem(PUBLIC_KEY_LABEL, canonicalPublicKey(key))

/** The canonical PEM of a key: the same text for every encoding of the same key (`publicKeyToPem`). */
export const canonicalPublicKeyPem = publicKeyToPem

/** PKCS#1 PEM (`RSA PRIVATE KEY`) formatted like Go's `pem.Encode`, as the original client exports keys. */
export const privateKeyToPem = (key: RsaPrivateKey): string =>
  encodePem(PRIVATE_KEY_LABEL, new Uint8Array(key.export({ type: "pkcs1", format: "der" })))

/**
 * A peer's public key from PEM text. Like the original server: any label, leading junk skipped, SPKI
 * content; PKCS#1 `RSAPublicKey` content is accepted as well. Unlike it: the key must be RSA, its DER
 * canonical with nothing trailing, its public exponent 65537 (every real client's; a huge one makes each
 * encryption to the key far dearer) and its modulus `opts.bits` long (4096 unless told otherwise).
 */
export const parsePublicKey = (
  pem: string | Uint8Array,
  opts: KeySizeOptions = {}
): Either.Either<RsaPublicKey, InvalidPublicKey> => {
  const fail = (reason: string) => Either.left(new InvalidPublicKey({ reason }))
  const block = decodePem(pem)
  if (Option.isNone(block)) return fail("no PEM block found")
  const der = block.value.der
  const pkcs1 = pkcs1FromSpki(der) ?? der
  const key = importDer(pkcs1, ["pkcs1"], (options) => createPublicKey(options))
  // node derives a public key from private DER too, so `key` may be one: the canonical check refuses it
  if (key === undefined || !key.export({ type: "pkcs1", format: "der" }).equals(pkcs1)) return fail(diagnose(der))
  const problem = checkExponent(key) ?? checkBits(key, opts)
  return problem === undefined ? Either.right(key) : fail(problem)
}

/** Why `der` is not a canonical RSA public key (the slow path: OpenSSL's SPKI decoder is only tried here). */
const diagnose = (der: Uint8Array): string => {
  if (importDer(der, ["pkcs1", "pkcs8"], (options) => createPrivateKey(options)) !== undefined) {
    return "a private key, not a public key"
  }
  const key = importDer(der, ["spki"], (options) => createPublicKey(options))
  if (key === undefined) return "not an SPKI or PKCS#1 public key"
  if (key.asymmetricKeyType !== "rsa") return `not an RSA key (${key.asymmetricKeyType ?? "unknown"})`
  return "non-canonical DER or trailing data"
}

/**
 * A private key from PEM text: PKCS#1 (`RSA PRIVATE KEY`, the original's export format) or unencrypted
 * PKCS#8; any label, leading junk skipped. The key must be RSA and `opts.bits` long (4096 by default).
 */
export const parsePrivateKey = (
  pem: string | Uint8Array,
  opts: KeySizeOptions = {}
): Either.Either<RsaPrivateKey, InvalidPrivateKey> => {
  const fail = (reason: string) => Either.left(new InvalidPrivateKey({ reason }))
  const block = decodePem(pem)
  if (Option.isNone(block)) return fail("no PEM block found")
  const key = importDer(block.value.der, ["pkcs1", "pkcs8"], (options) => createPrivateKey(options))
  if (key === undefined) return fail("not an unencrypted PKCS#1 or PKCS#8 private key")
  if (key.asymmetricKeyType !== "rsa") return fail(`not an RSA key (${key.asymmetricKeyType ?? "unknown"})`)
  const sizeProblem = checkBits(key, opts)
  return sizeProblem === undefined ? Either.right(key) : fail(sizeProblem)
}

const importDer = <T extends "spki" | "pkcs1" | "pkcs8">(
  der: Uint8Array,
  types: ReadonlyArray<T>,
  create: (options: { key: Buffer; format: "der"; type: T }) => KeyObject
): KeyObject | undefined => {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength)
  for (const type of types) {
    try {
      return create({ key, format: "der", type })
    } catch {
      // not this encoding: try the next one
    }
  }
  return undefined
}

/** The public exponent of an RSA key (0 if unknown). */
export const keyExponent = (key: KeyObject): bigint => key.asymmetricKeyDetails?.publicExponent ?? 0n

const checkExponent = (key: KeyObject): string | undefined => {
  const e = keyExponent(key)
  if (e === BigInt(RSA_PUBLIC_EXPONENT)) return undefined
  const shown = e < 1n << 64n ? String(e) : `a ${e.toString(2).length}-bit number`
  return `RSA public exponent is ${shown}, expected ${RSA_PUBLIC_EXPONENT}`
}

const checkBits = (key: KeyObject, opts: KeySizeOptions): string | undefined => {
  const wanted = opts.bits ?? RSA_BITS
  const actual = keyBits(key)
  return wanted === "any" || actual === wanted ? undefined : `RSA key is ${actual} bits, expected ${wanted}`
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))
