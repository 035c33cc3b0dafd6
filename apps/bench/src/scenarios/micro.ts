/**
 * Codec and crypto micro-benchmarks: `runCodecBench()` (apps/bench/src/codec.ts, by the protocol library's
 * author) and `runCryptoBench()` (apps/bench/src/crypto.ts, by the crypto library's author). Loaded
 * dynamically so that a missing or failing one is reported instead of breaking the run.
 */
export interface MicroResult {
  readonly scenario: "micro"
  readonly codec: unknown
  readonly crypto: unknown
  readonly errors: Record<string, string>
}

const load = async (file: string, fn: string): Promise<unknown> => {
  const spec: string = new URL(`../${file}`, import.meta.url).href
  const mod = (await import(spec)) as Record<string, unknown>
  const f = mod[fn]
  if (typeof f !== "function") throw new Error(`${file} does not export ${fn}()`)
  return await (f as () => unknown)()
}

export const runMicro = async (which: { codec?: boolean; crypto?: boolean } = { codec: true, crypto: true }): Promise<MicroResult> => {
  const errors: Record<string, string> = {}
  let codec: unknown
  let crypto: unknown
  if (which.codec !== false) {
    try {
      codec = await load("codec.ts", "runCodecBench")
    } catch (e) {
      errors.codec = String(e)
    }
  }
  if (which.crypto !== false) {
    try {
      crypto = await load("crypto.ts", "runCryptoBench")
    } catch (e) {
      errors.crypto = String(e)
    }
  }
  return { scenario: "micro", codec, crypto, errors }
}
