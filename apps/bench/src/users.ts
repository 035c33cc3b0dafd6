/** Users through the protocol: REG with the cached RSA-4096 public key, LOGIN + VERIF (challenge decrypted here). */
import { Action, ErrorCode, errorName, type Packet } from "@gochat/protocol"
import { BenchConn, bytes, type Target } from "./conn.js"
import { decryptChallenge, type BenchKey } from "./keys.js"

export class ProtocolFailure extends Error {
  constructor(readonly step: string, readonly reply: Packet) {
    super(`${step}: unexpected reply ${reply.action === Action.ERR ? errorName(reply.info) : `action ${reply.action}`}`)
  }
}

const isErr = (p: Packet, code?: number) => p.action === Action.ERR && (code === undefined || p.info === code)

/** REG; an already registered name (same key, earlier run against a persistent database) is fine. */
export const register = async (conn: BenchConn, key: BenchKey): Promise<void> => {
  const r = await conn.request(Action.REG, [key.username, key.publicPem])
  if (r.action === Action.OK || isErr(r, ErrorCode.EXISTS)) return
  throw new ProtocolFailure(`REG ${key.username}`, r)
}

export const registerAll = async (target: Target, keys: ReadonlyArray<BenchKey>): Promise<void> => {
  const conns = await Promise.all([0, 1, 2, 3].map(() => BenchConn.connect(target)))
  try {
    let next = 0
    await Promise.all(
      conns.map(async (c) => {
        while (next < keys.length) await register(c, keys[next++])
      })
    )
  } finally {
    for (const c of conns) c.close()
  }
}

export interface LoginTiming {
  /** LOGIN sent → VERIF challenge received (server: DB lookup + OAEP encryption) */
  readonly challengeMs: number
  /** client's decryption of the challenge */
  readonly decryptMs: number
  /** VERIF sent → OK received */
  readonly verifyMs: number
  /** server-side part: challengeMs + verifyMs */
  readonly serverMs: number
}

/**
 * LOGIN + VERIF. A DUPSESS answer (the same user's previous connection not yet cleaned up by the server)
 * is retried for up to `dupsessRetryMs`.
 */
export const login = async (conn: BenchConn, key: BenchKey, opts: { dupsessRetryMs?: number } = {}): Promise<LoginTiming> => {
  const deadline = Date.now() + (opts.dupsessRetryMs ?? 5_000)
  for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
    const t0 = performance.now()
    const challenge = await conn.request(Action.LOGIN, [key.username])
    const t1 = performance.now()
    if (isErr(challenge, ErrorCode.DUPSESS) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, delay))
      continue
    }
    if (challenge.action !== Action.VERIF || challenge.args.length < 1) throw new ProtocolFailure(`LOGIN ${key.username}`, challenge)
    const answer = decryptChallenge(key, challenge.args[0])
    const t2 = performance.now()
    const ok = await conn.request(Action.VERIF, [bytes(key.username), answer])
    const t3 = performance.now()
    if (ok.action !== Action.OK) throw new ProtocolFailure(`VERIF ${key.username}`, ok)
    return { challengeMs: t1 - t0, decryptMs: t2 - t1, verifyMs: t3 - t2, serverMs: t1 - t0 + (t3 - t2) }
  }
}

export const logout = async (conn: BenchConn): Promise<void> => {
  const r = await conn.request(Action.LOGOUT, [])
  if (r.action !== Action.OK) throw new ProtocolFailure("LOGOUT", r)
}

/** Connects and logs in each key on its own connection (a few at a time). */
export const connectAndLogin = async (target: Target, keys: ReadonlyArray<BenchKey>, parallel = 4): Promise<BenchConn[]> => {
  const out: BenchConn[] = new Array(keys.length)
  let next = 0
  const opened: BenchConn[] = []
  try {
    await Promise.all(
      Array.from({ length: Math.min(parallel, keys.length) }, async () => {
        while (next < keys.length) {
          const i = next++
          const c = await BenchConn.connect(target)
          opened.push(c)
          await login(c, keys[i])
          out[i] = c
        }
      })
    )
  } catch (e) {
    for (const c of opened) c.close()
    throw e
  }
  return out
}

/** LOGOUT (so the server has dropped the session before the next scenario logs the same user in), then close. */
export const logoutAndClose = async (conns: ReadonlyArray<BenchConn>): Promise<void> => {
  await Promise.all(
    conns.map(async (c) => {
      try {
        if (c.closedReason === undefined) await logout(c)
      } catch {
        // best effort
      } finally {
        c.close()
      }
    })
  )
}
