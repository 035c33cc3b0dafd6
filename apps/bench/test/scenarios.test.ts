/**
 * Small-scale correctness runs of every scenario against our real server, started as a child process like
 * `pnpm bench` does. Counts are tiny; nothing here asserts speed, only delivery accounting and result shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { loadKeys, type BenchKey } from "../src/keys.js"
import { runIdle } from "../src/scenarios/idle.js"
import { runLogin } from "../src/scenarios/login.js"
import { runOffline } from "../src/scenarios/offline.js"
import { runReconnect } from "../src/scenarios/reconnect.js"
import { floodKeys, runRegFlood } from "../src/scenarios/regflood.js"
import { runRelay, type RelayResult } from "../src/scenarios/relay.js"
import { runSlow } from "../src/scenarios/slow.js"
import { startTarget, type RunningTarget } from "../src/target.js"
import { registerAll } from "../src/users.js"

/** another server entry file to test against (development only); default: apps/server/src/main.ts */
const serverMain = process.env.GOCHAT_BENCH_SERVER_MAIN

const expectRelayShape = (r: RelayResult, pairs: number, messages: number) => {
  expect(r.completed).toBe(true)
  expect(r.abortReason).toBeUndefined()
  expect(r.delivery).toEqual({
    sent: pairs * messages,
    acked: pairs * messages,
    received: pairs * messages,
    duplicates: 0,
    missing: 0,
    unexpected: 0,
    outOfOrder: 0,
    exactlyOnce: true
  })
  expect(r.errors).toEqual({})
  expect(r.latencyMs.count).toBe(pairs * messages)
  expect(r.latencyMs.p50).toBeLessThanOrEqual(r.latencyMs.p99)
  expect(r.latencyMs.p99).toBeLessThanOrEqual(r.latencyMs.max)
  expect(r.msgsPerSec).toBeGreaterThan(0)
  expect(r.server).toBeDefined()
  expect(r.server!.cpuUs).toBeGreaterThanOrEqual(0)
  expect(r.server!.rssAfter).toBeGreaterThan(0)
}

describe("scenarios against our server", () => {
  let target: RunningTarget
  let keys: BenchKey[]

  beforeAll(async () => {
    keys = await loadKeys(6)
    target = await startTarget(serverMain ? { serverMain } : {})
    await registerAll(target, keys)
  })
  afterAll(async () => {
    await target?.stop()
  })

  it("relay: 2 pairs × 50 messages arrive exactly once, with a login during the run", async () => {
    const r = await runRelay(target, keys, { pairs: 2, messages: 50, window: 8, size: 512, probeKey: keys[4] })
    expectRelayShape(r, 2, 50)
    expect(r.params).toEqual({ pairs: 2, messages: 50, window: 8, size: 512 })
    expect(r.loginUnderLoad!.count).toBeGreaterThanOrEqual(1)
    expect(r.loginUnderLoad!.failures).toBe(0)
  })

  it("ping-pong: one message in flight", async () => {
    const r = await runRelay(target, keys, { pairs: 1, messages: 30, window: 1, size: 512, name: "pingpong" })
    expectRelayShape(r, 1, 30)
    expect(r.scenario).toBe("pingpong")
  })

  it("login rate: every login verified, and logged out again", async () => {
    const r = await runLogin(target, keys, { logins: 6, concurrency: 2 })
    expect(r).toMatchObject({ scenario: "login", completed: true, logins: 6, failures: 0 })
    expect(r.serverMs.count).toBe(6)
    expect(r.decryptMs.count).toBe(6)
    expect(r.server?.cpuUsPerUnit).toBeGreaterThanOrEqual(0)
  })

  it("reconnect: every dropped user logs in again, the extra user's logins are measured meanwhile", async () => {
    const r = await runReconnect(target, keys, { users: 5 })
    expect(r).toMatchObject({ scenario: "reconnect", completed: true, loggedIn: 5, failures: 0 })
    expect(r.allLoggedInMs).toBeGreaterThan(0)
    expect(r.probe.serverMs.count).toBe(r.probe.totalMs.count)
    expect(r.server?.cpuUsPerUnit).toBeGreaterThanOrEqual(0)
  })

  it("REG flood: every REG of a distinct made-up key is an account, while the bystander pair keeps going", async () => {
    const pems = floodKeys(keys[0], 3)
    expect(new Set(pems.map((p) => Buffer.from(p).toString())).size).toBe(3)
    const r = await runRegFlood(target, keys, { regs: 30, concurrency: 2, window: 2 })
    expect(r).toMatchObject({ scenario: "regflood", completed: true, registered: 30, errors: {} })
    expect(r.othersDuringFlood.latencyMs.count).toBeGreaterThan(0)
  })

  it("offline store + catch-up: stored messages arrive once each, then the mailbox is empty", async () => {
    const r = await runOffline(target, keys, { messages: 40, window: 8, size: 512 })
    expect(r.store).toMatchObject({ completed: true, acked: 40, errors: {} })
    expect(r.catchUp).toMatchObject({
      completed: true,
      received: 40,
      duplicates: 0,
      missing: 0,
      unexpected: 0,
      exactlyOnce: true,
      secondReciv: "ERR_EMPTY"
    })
    expect(r.drainedBefore).toBe(0)
    expect(r.othersDuringStore?.latencyMs).toBeDefined()
  })

  it("idle connections: every connection gets its HELLO, RSS is read", async () => {
    const r = await runIdle(target, { connections: 25, settleMs: 0 })
    expect(r).toMatchObject({ scenario: "idle", completed: true, opened: 25, failed: 0, open: 25 })
    expect(r.rssBefore).toBeGreaterThan(0)
    expect(typeof r.bytesPerConnection).toBe("number")
  })

  it("slow reader: the scenario ends, the reader is dropped and everyone else's messages still arrive exactly once", async () => {
    const r = await runSlow(target, keys, { pairs: 1, messages: 50, window: 8, size: 512, flooders: 1, floodSize: 2000, dropWaitMs: 20_000 })
    expectRelayShape(r.baseline, 1, 50)
    expectRelayShape(r.withSlowReader, 1, 50)
    expect(r.slowReader.floodSent).toBeGreaterThan(0)
    expect(r.slowReader.dropped).toBe(true)
    expect(r.slowReader.socketClosed).toBe(true)
  }, 60_000)
})
