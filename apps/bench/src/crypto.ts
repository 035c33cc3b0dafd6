/**
 * Micro-benchmarks of @gochat/crypto: what a login, a message and a key store cost on this machine.
 * Standalone: `pnpm exec tsx apps/bench/src/crypto.ts` prints one line per operation.
 */
import { pathToFileURL } from "node:url"
import {
  decrypt,
  decryptPrivateKey,
  encrypt,
  encryptNoCrlf,
  encryptPrivateKey,
  generateKeyPair,
  hashPassword,
  MAX_PLAINTEXT,
  parsePublicKey,
  privateKeyToPem,
  publicKeyToPem,
  splitMessage,
  verifyPassword
} from "@gochat/crypto"
import { Effect, Either } from "effect"

export interface CryptoBenchResult {
  readonly name: string
  readonly ops: number
  readonly msPerOp: number
}

/** Runs `op` `ops` times in sequence (each awaited) and reports the mean wall time per call. */
const time = async (name: string, ops: number, op: () => unknown): Promise<CryptoBenchResult> => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < ops; i++) await op()
  const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6
  return { name, ops, msPerOp: elapsedMs / ops }
}

const must = <A, E>(either: Either.Either<A, E>): A => Either.getOrThrowWith(either, (e) => new Error(String(e)))

export const runCryptoBench = async (): Promise<Array<CryptoBenchResult>> => {
  const results: Array<CryptoBenchResult> = []
  let pair = await Effect.runPromise(generateKeyPair())
  results.push(
    await time("RSA-4096 generateKeyPair", 3, async () => {
      pair = await Effect.runPromise(generateKeyPair())
    })
  )
  const { publicKey, privateKey } = pair
  const message = new TextEncoder().encode("x".repeat(MAX_PLAINTEXT))
  const ciphertext = must(encrypt(publicKey, message))
  const pem = publicKeyToPem(publicKey)
  const blob = await Effect.runPromise(encryptPrivateKey(new TextEncoder().encode(privateKeyToPem(privateKey)), "pw"))
  const hash = await Effect.runPromise(hashPassword("pw"))
  const longText = "ünïcödé 👋 ".repeat(400)

  results.push(await time("OAEP encrypt (446 B)", 500, () => must(encrypt(publicKey, message))))
  results.push(await time("OAEP encryptNoCrlf (446 B)", 500, () => must(encryptNoCrlf(publicKey, message))))
  results.push(await time("OAEP decrypt", 50, () => must(decrypt(privateKey, ciphertext))))
  results.push(await time("parsePublicKey (PEM)", 500, () => must(parsePublicKey(pem))))
  results.push(await time(`splitMessage (${longText.length} chars)`, 200, () => splitMessage(longText)))
  results.push(await time("encryptPrivateKey (scrypt N=32768)", 5, () => Effect.runPromise(encryptPrivateKey(message, "pw"))))
  results.push(await time("decryptPrivateKey (scrypt N=32768)", 5, () => Effect.runPromise(decryptPrivateKey(blob, "pw"))))
  results.push(await time("bcrypt hash (cost 12)", 5, () => Effect.runPromise(hashPassword("pw"))))
  results.push(await time("bcrypt verify (cost 12)", 5, () => Effect.runPromise(verifyPassword("pw", hash))))
  return results
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCryptoBench().then(
    (results) => {
      for (const { name, ops, msPerOp } of results) {
        console.log(`${name.padEnd(40)} ${String(ops).padStart(5)} ops ${msPerOp.toFixed(3).padStart(10)} ms/op`)
      }
    },
    (error) => {
      console.error(error)
      process.exitCode = 1
    }
  )
}
