/**
 * RSA-4096 key pool for benchmark users, cached on disk (apps/bench/.cache/keys/NNNN.pem, mode 0600) because
 * generating a 4096-bit key takes ~1 s. Each user's name is derived from its key so that re-running against a
 * server with a persistent database (e.g. the original Go server) re-uses the same registration instead of
 * registering the same public key under a new name (which the original answers with a crash).
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const generateKeyPair = promisify(crypto.generateKeyPair)

export const DEFAULT_KEY_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".cache", "keys")

export interface BenchKey {
  readonly index: number
  readonly privateKey: crypto.KeyObject
  /** The public key as the original's client sends it: SPKI DER in a `RSA PUBLIC KEY` PEM block. */
  readonly publicPem: Uint8Array
  /** `b` + 15 hex digits of SHA-256(SPKI): stable per key, matches ^[0-9a-z]{1,32}$. */
  readonly username: string
}

export const toBenchKey = (index: number, privateKey: crypto.KeyObject): BenchKey => {
  const pub = crypto.createPublicKey(privateKey)
  const der = pub.export({ type: "spki", format: "der" })
  const pem = (pub.export({ type: "spki", format: "pem" }) as string).replace(/PUBLIC KEY-----/g, "RSA PUBLIC KEY-----")
  const username = "b" + crypto.createHash("sha256").update(der).digest("hex").slice(0, 15)
  return { index, privateKey, publicPem: Buffer.from(pem, "latin1"), username }
}

const keyFile = (dir: string, i: number) => path.join(dir, `${String(i).padStart(4, "0")}.pem`)

/**
 * Returns `count` keys, generating (at most `parallel` at a time) and caching those missing.
 * `onProgress` is told about each generated key.
 */
export const loadKeys = async (
  count: number,
  opts: { dir?: string; parallel?: number; onProgress?: (done: number, toMake: number) => void } = {}
): Promise<BenchKey[]> => {
  const dir = opts.dir ?? DEFAULT_KEY_DIR
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const keys: BenchKey[] = new Array(count)
  const missing: number[] = []
  for (let i = 0; i < count; i++) {
    const f = keyFile(dir, i)
    if (fs.existsSync(f)) {
      try {
        keys[i] = toBenchKey(i, crypto.createPrivateKey(fs.readFileSync(f)))
        continue
      } catch {
        // unreadable: regenerate below
      }
    }
    missing.push(i)
  }
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < missing.length) {
      const i = missing[next++]
      const { privateKey } = await generateKeyPair("rsa", { modulusLength: 4096, publicExponent: 0x10001 })
      const pem = privateKey.export({ type: "pkcs1", format: "pem" }) as string
      const tmp = `${keyFile(dir, i)}.${process.pid}.tmp`
      fs.writeFileSync(tmp, pem, { mode: 0o600 })
      fs.renameSync(tmp, keyFile(dir, i))
      keys[i] = toBenchKey(i, privateKey)
      opts.onProgress?.(++done, missing.length)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, opts.parallel ?? 2) }, worker))
  return keys
}

/** RSA-OAEP-SHA256 decryption of a login challenge (the generator's only expensive operation: ~5 ms). */
export const decryptChallenge = (key: BenchKey, ciphertext: Uint8Array): Buffer =>
  crypto.privateDecrypt({ key: key.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" }, ciphertext)
