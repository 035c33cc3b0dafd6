/**
 * @gochat/crypto: the cryptography of gochat v1, byte-compatible with the original Go implementation.
 * See API.md for the contract and README.md for the formats.
 */
export * from "./errors.js"
export {
  canonicalPublicKey,
  canonicalPublicKeyPem,
  generateKeyPair,
  keyBits,
  keyExponent,
  parsePrivateKey,
  parsePublicKey,
  PRIVATE_KEY_LABEL,
  privateKeyToPem,
  PUBLIC_KEY_LABEL,
  publicKeyOf,
  publicKeyToPem,
  RSA_BITS,
  RSA_PUBLIC_EXPONENT,
  type KeySizeOptions,
  type RsaKeyPair,
  type RsaPrivateKey,
  type RsaPublicKey
} from "./keys.js"
export { containsCrlf, decrypt, encrypt, encryptNoCrlf, MAX_PLAINTEXT, maxPlaintextFor } from "./oaep.js"
export { joinMessage, splitMessage } from "./split.js"
export { decryptPrivateKey, encryptPrivateKey } from "./atrest.js"
export { BCRYPT_COST, hashPassword, PASSWORD_MAX_BYTES, verifyPassword } from "./password.js"
export { CHALLENGE_ALPHABET, CHALLENGE_LENGTH, isChallengeShaped, randomChallenge, randomString, randomToken } from "./random.js"
export { constantTimeEqual } from "./compare.js"
export { fingerprint, fingerprintShort } from "./fingerprint.js"
