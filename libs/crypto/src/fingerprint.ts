/** Key fingerprints for people to compare out of band: SHA-256 of the SPKI DER, in groups of 4 hex digits. */
import { createHash, type KeyObject } from "node:crypto"
import { canonicalPublicKey } from "./keys.js"

const GROUP = 4
const SHORT_GROUPS = 8

const grouped = (hex: string): Array<string> => hex.match(new RegExp(`.{${GROUP}}`, "g")) ?? []

const digest = (key: KeyObject): string => createHash("sha256").update(canonicalPublicKey(key)).digest("hex")

/** `9f2c:41d0:…`: 16 groups of 4 lowercase hex digits; a private key gives its public key's fingerprint. */
export const fingerprint = (key: KeyObject): string => grouped(digest(key)).join(":")

/** The first 8 groups of `fingerprint`, for compact displays. */
export const fingerprintShort = (key: KeyObject): string => grouped(digest(key)).slice(0, SHORT_GROUPS).join(":")
