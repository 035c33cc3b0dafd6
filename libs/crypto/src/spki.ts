/**
 * The SPKI wrapping of an RSA public key, done by hand: OpenSSL 3 encodes and decodes SPKI ~30 times more
 * slowly (~0.5 ms) than PKCS#1 (~20 µs), and public keys are parsed and re-encoded on every REG and REQ.
 * SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier { rsaEncryption, NULL }, BIT STRING { 0x00, RSAPublicKey } },
 * which is exactly what Go's `x509.MarshalPKIXPublicKey` writes for an RSA key.
 */

/** SEQUENCE { OID 1.2.840.113549.1.1.1 (rsaEncryption), NULL } */
const RSA_ALGORITHM_IDENTIFIER = Uint8Array.of(
  0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
)
const SEQUENCE = 0x30
const BIT_STRING = 0x03

/** A DER definite length: short form below 128, else the minimal big-endian long form. */
export const encodeLength = (length: number): Uint8Array => {
  if (length < 0x80) return Uint8Array.of(length)
  const bytes: Array<number> = []
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Uint8Array.of(0x80 | bytes.length, ...bytes)
}

/** A DER length at `at`, or undefined if it is indefinite, non-minimal or runs past the end. */
const readLength = (der: Uint8Array, at: number): { readonly length: number; readonly next: number } | undefined => {
  if (at >= der.length) return undefined
  const first = der[at]
  if (first < 0x80) return { length: first, next: at + 1 }
  const count = first & 0x7f
  if (count === 0 || count > 3 || at + count >= der.length || der[at + 1] === 0) return undefined
  let length = 0
  for (let i = 1; i <= count; i++) length = length * 256 + der[at + i]
  return length < 0x80 ? undefined : { length, next: at + 1 + count }
}

const tagged = (tag: number, content: Uint8Array): Uint8Array => {
  const length = encodeLength(content.length)
  const out = new Uint8Array(1 + length.length + content.length)
  out[0] = tag
  out.set(length, 1)
  out.set(content, 1 + length.length)
  return out
}

/** The SPKI DER of an RSA key from its PKCS#1 `RSAPublicKey` DER. */
export const spkiFromPkcs1 = (pkcs1: Uint8Array): Uint8Array => {
  const bitString = new Uint8Array(1 + pkcs1.length)
  bitString.set(pkcs1, 1)
  const body = tagged(BIT_STRING, bitString)
  const content = new Uint8Array(RSA_ALGORITHM_IDENTIFIER.length + body.length)
  content.set(RSA_ALGORITHM_IDENTIFIER)
  content.set(body, RSA_ALGORITHM_IDENTIFIER.length)
  return tagged(SEQUENCE, content)
}

/**
 * The PKCS#1 `RSAPublicKey` inside an SPKI DER, when `der` is a canonically encoded RSA SPKI with nothing
 * after it; undefined for anything else (another algorithm, PSS parameters, a missing NULL, junk).
 */
export const pkcs1FromSpki = (der: Uint8Array): Uint8Array | undefined => {
  if (der[0] !== SEQUENCE) return undefined
  const outer = readLength(der, 1)
  if (outer === undefined || outer.next + outer.length !== der.length) return undefined
  let at = outer.next
  for (const byte of RSA_ALGORITHM_IDENTIFIER) if (der[at++] !== byte) return undefined
  if (der[at] !== BIT_STRING) return undefined
  const bits = readLength(der, at + 1)
  if (bits === undefined || bits.length < 1 || bits.next + bits.length !== der.length || der[bits.next] !== 0) {
    return undefined
  }
  return der.subarray(bits.next + 1)
}
