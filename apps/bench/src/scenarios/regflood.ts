/**
 * REG flood: `concurrency` anonymous connections register `regs` new accounts as fast as the server answers
 * (`window` REGs in flight each), while an unrelated logged-in pair ping-pongs. Every REG that succeeds is a
 * committed INSERT: with SQLite on the main thread each commit's fsync stalled everybody; the bystander's
 * p99 shows whether it still does.
 *
 * Each account needs its own public key, and generating RSA-4096 keys takes ~1 s each: the flood's keys are
 * one real key's SPKI with bytes in the middle of the modulus replaced (still a 4096-bit modulus with
 * exponent 65537, which is all the server can check; nobody ever logs in with them).
 */
import * as crypto from "node:crypto"
import { Action, errorName } from "@gochat/protocol"
import { BenchConn } from "../conn.js"
import type { BenchKey } from "../keys.js"
import type { Percentiles } from "../stats.js"
import type { RunningTarget } from "../target.js"
import { connectAndLogin, logoutAndClose } from "../users.js"
import { startBystander } from "./bystander.js"
import { countError, meterServer, monoUs, round2, type ServerUsage } from "./common.js"

export interface RegFloodOptions {
  readonly regs: number
  readonly concurrency: number
  readonly window: number
  readonly timeoutMs?: number
}

export interface RegFloodResult {
  readonly scenario: "regflood"
  readonly params: RegFloodOptions
  readonly completed: boolean
  /** REGs answered OK */
  readonly registered: number
  readonly errors: Record<string, number>
  readonly elapsedMs: number
  readonly regsPerSec: number
  readonly server: ServerUsage | undefined
  /** the unrelated pair's round trips during the flood */
  readonly othersDuringFlood: { readonly latencyMs: Percentiles }
  readonly monotonicUs: readonly [number, number]
}

/** Offset of the modulus bytes replaced (inside the 512-byte modulus of an RSA-4096 SPKI, past its header). */
const PATCH_AT = 64
const PATCH_BYTES = 16

/** `count` distinct public-key PEMs (RSA PUBLIC KEY armour, as the original's client sends) made from `key`. */
export const floodKeys = (key: BenchKey, count: number): Array<Uint8Array> => {
  const der = crypto.createPublicKey(key.privateKey).export({ type: "spki", format: "der" })
  const out: Array<Uint8Array> = []
  for (let i = 0; i < count; i++) {
    const d = Buffer.from(der)
    crypto.randomFillSync(d, PATCH_AT, PATCH_BYTES)
    const b64 = d.toString("base64").replace(/.{64}/g, "$&\n")
    out.push(Buffer.from(`-----BEGIN RSA PUBLIC KEY-----\n${b64}\n-----END RSA PUBLIC KEY-----\n`, "latin1"))
  }
  return out
}

export const runRegFlood = async (target: RunningTarget, keys: ReadonlyArray<BenchKey>, o: RegFloodOptions): Promise<RegFloodResult> => {
  const [pingKey, pongKey, template] = keys
  const pems = floodKeys(template, o.regs)
  const prefix = `r${crypto.randomBytes(4).toString("hex")}`
  const pair = await connectAndLogin(target, [pingKey, pongKey])
  const conns = await Promise.all(Array.from({ length: o.concurrency }, () => BenchConn.connect(target)))
  const errors: Record<string, number> = {}
  let next = 0
  let registered = 0
  const deadline = performance.now() + (o.timeoutMs ?? 60_000)
  try {
    const meter = meterServer(target)
    const t0 = performance.now()
    const mono0 = monoUs()
    const bystander = startBystander(pair[0], pair[1], pongKey.username)
    const lane = async (c: BenchConn) => {
      while (next < o.regs && performance.now() < deadline && c.closedReason === undefined) {
        const i = next++
        const r = await c.request(Action.REG, [`${prefix}${i.toString(36)}`, pems[i]])
        if (r.action === Action.OK) registered++
        else countError(errors, r.action === Action.ERR ? errorName(r.info) : `action ${r.action}`)
      }
    }
    await Promise.all(conns.flatMap((c) => Array.from({ length: o.window }, () => lane(c))))
    const elapsedMs = performance.now() - t0
    const others = bystander.stop()
    const mono1 = monoUs()
    return {
      scenario: "regflood",
      params: o,
      completed: registered === o.regs,
      registered,
      errors,
      elapsedMs: round2(elapsedMs),
      regsPerSec: Math.round(registered / (elapsedMs / 1000)),
      server: meter.stop(registered),
      othersDuringFlood: { latencyMs: others },
      monotonicUs: [mono0, mono1]
    }
  } finally {
    for (const c of conns) c.close()
    await logoutAndClose(pair)
  }
}
