/**
 * `Tokens` of a clustered service, in Redis: `gochat:token:<name>`, a hash of the token's SHA-256 digest
 * (never the token), the session it is bound to ("instance:connection", empty once the session ended) and
 * the count of wrong guesses. Unbound, the key carries an expiry of `tokenMs` (Redis removes it then). Each
 * operation is one Lua script, so two instances checking one token at once count both guesses.
 *
 * A token still bound to a session of an instance whose lease ran out (killed with SIGKILL) is treated as
 * if that session ended when the check noticed: it then expires after `tokenMs`, as any other.
 */
import { Effect } from "effect"
import { MAX_TOKEN_FAILURES, type TokenCheck, tokenDigest, type TokensApi } from "../hubs/Tokens.js"
import type { RedisConnection } from "./Redis.js"

const TOKEN = "gochat:token:"

const ISSUE = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'h', ARGV[1], 's', ARGV[2], 'f', 0)
return 1`

const ENDED = `
if redis.call('HGET', KEYS[1], 's') == ARGV[1] then
  redis.call('HSET', KEYS[1], 's', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`

const CHECK = `
local t = redis.call('HMGET', KEYS[1], 'h', 's')
if not t[1] then return 'not-found' end
if t[2] and t[2] ~= '' then
  local inst = string.match(t[2], '^[^:]+')
  if redis.call('EXISTS', ARGV[2] .. inst) == 1 then return 'in-use' end
  redis.call('HSET', KEYS[1], 's', '')
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
if t[1] ~= ARGV[1] then
  local f = redis.call('HINCRBY', KEYS[1], 'f', 1)
  if f >= tonumber(ARGV[4]) then redis.call('DEL', KEYS[1]) end
  return 'mismatch'
end
redis.call('HSET', KEYS[1], 'f', 0)
return 'ok'`

type Scripts = RedisConnection["commands"] & {
  gochatTokenIssue(key: string, digest: string, session: string): Promise<number>
  gochatTokenEnded(key: string, session: string, ttlMs: number): Promise<number>
  gochatTokenCheck(key: string, digest: string, alive: string, ttlMs: number, maxFailures: number): Promise<string>
}

/** Tokens over `redis` for instance `instance`, whose lease keys start with `alivePrefix`. */
export const makeRedisTokens = (redis: RedisConnection, instance: string, alivePrefix: string, tokenMs: number): TokensApi => {
  const client = redis.commands as Scripts
  client.defineCommand("gochatTokenIssue", { numberOfKeys: 1, lua: ISSUE })
  client.defineCommand("gochatTokenEnded", { numberOfKeys: 1, lua: ENDED })
  client.defineCommand("gochatTokenCheck", { numberOfKeys: 1, lua: CHECK })
  const session = (connId: number) => `${instance}:${connId}`
  // a token store that cannot be reached fails the request (ERR_SERVER), as a database would
  const call = <A>(f: () => Promise<A>) => Effect.orDie(Effect.tryPromise(f))
  return {
    issue: (name, connId, text) => Effect.asVoid(call(() => client.gochatTokenIssue(TOKEN + name, tokenDigest(text), session(connId)))),
    sessionEnded: (name, connId) => Effect.asVoid(call(() => client.gochatTokenEnded(TOKEN + name, session(connId), tokenMs))),
    drop: (name) => Effect.asVoid(call(() => client.del(TOKEN + name))),
    check: (name, text) =>
      Effect.map(
        call(() => client.gochatTokenCheck(TOKEN + name, tokenDigest(text), alivePrefix, tokenMs, MAX_TOKEN_FAILURES)),
        (answer) => answer as TokenCheck
      )
  }
}
