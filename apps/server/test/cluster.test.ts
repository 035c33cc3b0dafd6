/**
 * Several server instances as one service (docs/SCALING.md): two instances (A and B, in this process,
 * over real sockets), one private redis-server, one MariaDB database; a third instance (C) as a process
 * for the faults (SIGKILL, Redis restarted under traffic), and a real haproxy in TCP mode in front of A and
 * B for the end-to-end. Every bullet of "what must hold across instances":
 * - MSG across instances: live, in order per sender, exactly once, OK kept; batched publishes; a recipient
 *   who left gets the message stored offline;
 * - one session per user across instances, under a race;
 * - USRS ONLINE / levels, hooks, ADMIN kick / DEREG / level changes / broadcast / MOTD / shutdown for the
 *   whole service; caches invalidated everywhere;
 * - a TLS token issued by A works on B;
 * - SIGKILL of an instance: its users log in elsewhere within a bounded time, OK'd messages not lost;
 *   Redis restarted under traffic: reconnection, local delivery, nothing OK'd lost, logged once.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Action, AdminOp, encodeStamp, ErrorCode, HookType, Permission, UsrsType } from "@gochat/protocol"
import { decrypt } from "@gochat/crypto"
import { Either, Redacted } from "effect"
import { Redis } from "ioredis"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freshDatabase, mariadbUrl } from "../../../test-support/index.js"
import { freePort } from "../../../test-support/mariadb.js"
import { startRedis, type RunningRedis } from "../../../test-support/redis.js"
import { which } from "../../../scripts/test.mjs"
import { resolveConfig, type RunningServer } from "../src/index.js"
import { catchUpAll as catchUp, ClientPool, type Received, TestClient, text } from "./support/client.js"
import { freshIdentities, type Identity, setLevel, start, tempDir, testCertificate, TEST_KEY_BITS } from "./support/fixtures.js"
import { type ServerProcess, spawnServer } from "./support/process.js"

const LEASE_MS = 1000

let redis: RunningRedis
let probe: Redis
let db: string
let a: RunningServer
let b: RunningServer
let ids: Array<Identity>
const pool = new ClientPool(() => a.port)

const instance = () =>
  start(mariadbUrl(db), { redis: redis.url, leaseMs: LEASE_MS, tls: testCertificate() })

const onA = (tls = false) => TestClient.open(tls ? a.tlsPort! : a.port, { tls }).then((c) => pool.adopt(c))
const onB = (tls = false) => TestClient.open(tls ? b.tlsPort! : b.port, { tls }).then((c) => pool.adopt(c))

const identity: Record<string, Identity> = {}
const register = async (name: string, level = 0) => {
  identity[name] = ids[Object.keys(identity).length]
  const c = await onA()
  expect((await c.register(name, identity[name].pem)).action).toBe(Action.OK)
  if (level > 0) expect(await setLevel(a.settings, name, level)).toBe(true)
  c.close()
}
const loginOn = async (c: TestClient, name: string) => {
  const { reply } = await c.login(name, identity[name].key)
  expect(reply.action, `LOGIN ${name}`).toBe(Action.OK)
  return c
}

/** Waits until `check` holds (bounded): cross-instance state arrives asynchronously. */
const until = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not in time: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const usrs = async (c: TestClient, kind: number) => {
  const r = await c.request(Action.USRS, [], kind)
  return r.action === Action.USRS ? text(r.args[0]).split("\n") : []
}

const body = (tag: string, n: number) => Buffer.from(`${tag}:${n}:${"x".repeat(40)}`, "latin1")
const tagOf = (p: Received) => Buffer.from(p.args[2]).toString("latin1").split(":").slice(0, 2).join(":")

/** Redis's count of PUBLISH commands so far. */
const publishes = async () => {
  const stats = await probe.info("commandstats")
  return Number(/cmdstat_publish:calls=(\d+)/.exec(stats)?.[1] ?? 0)
}

/** Sends `n` MSGs in one write; returns their request ids. */
const burst = (c: TestClient, to: string, tag: string, n: number, from = 0) => {
  const sent: Array<number> = []
  for (let i = from; i < from + n; i++) sent.push(c.send(Action.MSG, [to, encodeStamp(Math.floor(Date.now() / 1000)), body(tag, i)]))
  return sent
}

beforeAll(async () => {
  ;[ids, redis] = await Promise.all([freshIdentities(24), startRedis()])
  probe = new Redis(redis.url, { lazyConnect: true })
  await probe.connect()
  db = freshDatabase("cluster")
  a = await instance()
  b = await instance()
  for (const name of ["alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "ivan", "judy", "kim", "leo", "mia", "ned"]) {
    await register(name)
  }
  await register("olga", Permission.OWNER)
  await register("adam", Permission.ADMIN)
}, 120_000)

afterAll(async () => {
  pool.closeAll()
  await Promise.all([a?.close(), b?.close()])
  probe?.disconnect()
  await redis?.stop()
})

describe("configuration", () => {
  it("clustering needs MariaDB: SQLite is refused with one line naming both settings", () => {
    const r = resolveConfig({ flags: { redis: "redis://127.0.0.1:6379" }, overrides: { db: "sqlite:/tmp/x.db" } })
    expect(Either.isLeft(r) && r.left).toMatch(/^clustering is on \(--redis\) but the database is SQLite.*--db, GOCHAT_DB or database\.url\)$/)
    const bad = resolveConfig({ env: { GOCHAT_REDIS_URL: "http://x" }, overrides: { db: mariadbUrl("x") } })
    expect(Either.isLeft(bad) && bad.left).toMatch(/^environment variable GOCHAT_REDIS_URL: expected a redis:\/\//)
    const ok = resolveConfig({ flags: { redis: "redis://u:secret@127.0.0.1:6379/2" }, overrides: { db: mariadbUrl("x") } })
    expect(Either.isRight(ok) && Redacted.value(ok.right.cluster!.redisUrl)).toBe("redis://u:secret@127.0.0.1:6379/2")
    expect(Either.isRight(resolveConfig({})) && resolveConfig({}).pipe(Either.getOrThrow).cluster).toBeUndefined()
  })
})

describe("two instances, one Redis, one MariaDB", () => {
  it("MSG to a user on the other instance: live, in order, exactly once, each OK'd; one PUBLISH per destination per turn", async () => {
    const alice = await loginOn(await onA(), "alice")
    const bob = await loginOn(await onB(), "bob")
    const carol = await loginOn(await onA(), "carol")
    await until(async () => (await usrs(alice, UsrsType.ONLINE)).includes("bob"), "bob visible on A")
    const before = await publishes()
    const N = 300
    const fromAlice = burst(alice, "bob", "a", N)
    const fromCarol = burst(carol, "bob", "c", N)
    for (const id of fromAlice) expect((await alice.reply(id)).action).toBe(Action.OK)
    for (const id of fromCarol) expect((await carol.reply(id)).action).toBe(Action.OK)
    const got: Array<string> = []
    while (got.length < 2 * N) got.push(tagOf(await bob.waitFor((p) => p.action === Action.RECIV)))
    expect(got.filter((t) => t.startsWith("a:"))).toEqual(Array.from({ length: N }, (_, i) => `a:${i}`))
    expect(got.filter((t) => t.startsWith("c:"))).toEqual(Array.from({ length: N }, (_, i) => `c:${i}`))
    // exactly once: nothing more arrives (a KEEP round trip after the last RECIV)
    expect((await bob.request(Action.USRS, [], UsrsType.ONLINE)).action).toBe(Action.USRS)
    expect(bob.pending().filter((p) => p.action === Action.RECIV)).toHaveLength(0)
    // 600 messages went from A to B; batched, far fewer publishes (frames and their answers)
    const used = (await publishes()) - before
    expect(used).toBeGreaterThan(1)
    expect(used).toBeLessThan(60)
    for (const c of [alice, bob, carol]) c.close()
  })

  it("a recipient who logs out while messages are on their way gets each one live or stored: none lost, none twice", async () => {
    const dave = await loginOn(await onA(), "dave")
    const erin = await loginOn(await onB(), "erin")
    await until(async () => (await usrs(dave, UsrsType.ONLINE)).includes("erin"), "erin visible on A")
    const N = 400
    const sent = burst(dave, "erin", "d", N)
    // erin logs out while the burst is crossing over: what was queued on her connection before the
    // LOGOUT's OK reaches her, the rest is stored
    await erin.waitFor((p) => p.action === Action.RECIV)
    const bye = erin.send(Action.LOGOUT)
    expect((await erin.reply(bye)).action).toBe(Action.OK)
    const live = erin.pending().filter((p) => p.action === Action.RECIV).length + 1
    for (const id of sent) expect((await dave.reply(id)).action).toBe(Action.OK)
    erin.close()
    const again = await loginOn(await onB(), "erin")
    const stored = (await catchUp(again)).map(tagOf)
    expect(live + stored.length).toBe(N)
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => `d:${live + i}`))
    dave.close()
    again.close()
  })

  it("one session per user: a login on the other instance is ERR_DUPSESS (holder told by HOOK_DUPSESS); a race gives exactly one", async () => {
    const holder = await loginOn(await onA(), "frank")
    expect((await holder.request(Action.SUB, [], HookType.DUPSESS)).action).toBe(Action.OK)
    await until(async () => {
      const c = await onB()
      const { reply } = await c.login("frank", identity.frank.key)
      c.close()
      return reply.action === Action.ERR && reply.info === ErrorCode.DUPSESS
    }, "ERR_DUPSESS on B")
    expect((await holder.waitFor((p) => p.action === Action.HOOK)).info).toBe(HookType.DUPSESS)
    holder.close()
    // the race: both challenges answered at once, on two instances
    for (let round = 0; round < 5; round++) {
      const name = "gina"
      const [x, y] = [await onA(), await onB()]
      await until(async () => (await probe.hexists("gochat:sessions", name)) === 0, "gina offline")
      const challenges = await Promise.all([x.request(Action.LOGIN, [name]), y.request(Action.LOGIN, [name])])
      const answers = challenges.map((ch) => Buffer.from(Either.getOrThrow(decrypt(identity[name].key, ch.args[0]))))
      const ids = [x.send(Action.VERIF, [name, answers[0]]), y.send(Action.VERIF, [name, answers[1]])]
      const replies = await Promise.all([x.reply(ids[0]), y.reply(ids[1])])
      expect(replies.filter((r) => r.action === Action.OK)).toHaveLength(1)
      expect(replies.filter((r) => r.action === Action.ERR && r.info === ErrorCode.DUPSESS)).toHaveLength(1)
      x.close()
      y.close()
    }
  })

  it("USRS ONLINE and levels are the service's; NEWLOGIN / NEWLOGOUT / PERMSCHG reach subscribers on the other instance", async () => {
    const watcher = await loginOn(await onA(), "hank")
    for (const hook of [HookType.NEWLOGIN, HookType.NEWLOGOUT, HookType.PERMSCHG]) {
      expect((await watcher.request(Action.SUB, [], hook)).action).toBe(Action.OK)
    }
    const ivan = await loginOn(await onB(), "ivan")
    const login = await watcher.waitFor((p) => p.action === Action.HOOK && p.info === HookType.NEWLOGIN)
    expect(text(login.args[0])).toBe("ivan")
    await until(async () => (await usrs(watcher, UsrsType.ONLINEPERMS)).includes("ivan 0"), "ivan 0 on A")
    const owner = await loginOn(await onA(), "olga")
    expect((await owner.request(Action.ADMIN, ["ivan", Uint8Array.of(Permission.ADMIN)], AdminOp.CHGPERMS)).action).toBe(Action.OK)
    const perms = await watcher.waitFor((p) => p.action === Action.HOOK && p.info === HookType.PERMSCHG)
    expect([text(perms.args[0]), perms.args[1][0]]).toEqual(["ivan", Permission.ADMIN])
    // the session on B has the new level: an ADMIN operation now passes the level check there
    await until(async () => (await usrs(ivan, UsrsType.ONLINEPERMS)).includes("ivan 1"), "ivan 1 on B")
    expect((await usrs(watcher, UsrsType.ONLINEPERMS))).toContain("ivan 1")
    expect((await ivan.request(Action.ADMIN, ["nobody"], AdminOp.KICK)).info).toBe(ErrorCode.NOTFOUND)
    ivan.close()
    const logout = await watcher.waitFor((p) => p.action === Action.HOOK && p.info === HookType.NEWLOGOUT)
    expect(text(logout.args[0])).toBe("ivan")
    await until(async () => !(await usrs(watcher, UsrsType.ONLINE)).includes("ivan"), "ivan gone from A's list")
    watcher.close()
    owner.close()
  })

  it("ADMIN KICK and DEREG on A end the session on B; B's cached account is dropped (MSG to it is ERR_DEREG there)", async () => {
    const adam = await loginOn(await onA(), "adam")
    const judy = await loginOn(await onB(), "judy")
    await until(async () => (await usrs(adam, UsrsType.ONLINE)).includes("judy"), "judy on A")
    expect((await adam.request(Action.ADMIN, ["judy"], AdminOp.KICK)).action).toBe(Action.OK)
    await judy.waitClosed()
    // kim on B sends judy (offline) a message: B caches judy's account
    const kim = await loginOn(await onB(), "kim")
    await until(async () => !(await usrs(kim, UsrsType.ONLINE)).includes("judy"), "judy offline")
    expect((await kim.msg("judy", body("k", 0))).action).toBe(Action.OK)
    const judy2 = await loginOn(await onB(), "judy")
    expect((await adam.request(Action.ADMIN, ["judy"], AdminOp.DEREG)).action).toBe(Action.OK)
    await judy2.waitClosed()
    expect((await kim.msg("judy", body("k", 1))).info).toBe(ErrorCode.DEREG)
    const c = await onB()
    expect((await c.login("judy", identity.judy.key)).reply.info).toBe(ErrorCode.DEREG)
    for (const x of [adam, kim, c]) x.close()
  })

  it("ADMIN BRDCAST reaches users on both instances; MOTD set on A greets connections to B", async () => {
    const owner = await loginOn(await onA(true), "olga")
    const leo = await loginOn(await onB(), "leo")
    const mia = await loginOn(await onA(), "mia")
    await until(async () => (await usrs(owner, UsrsType.ONLINE)).includes("leo"), "leo on A")
    expect((await owner.request(Action.ADMIN, ["all hands 👋🏽"], AdminOp.BRDCAST)).action).toBe(Action.OK)
    for (const [c, name] of [[leo, "leo"], [mia, "mia"]] as const) {
      const r = await c.waitFor((p) => p.action === Action.RECIV)
      expect(Buffer.from(Either.getOrThrow(decrypt(identity[name].key, r.args[2]))).toString("utf8")).toBe("ADMINISTRATIVE BROADCAST:\nall hands 👋🏽")
    }
    expect((await owner.request(Action.ADMIN, ["один сервис 一つ"], AdminOp.MOTD)).action).toBe(Action.OK)
    const fresh = await onB()
    expect(fresh.motd).toBe("один сервис 一つ")
    for (const x of [owner, leo, mia, fresh]) x.close()
  })

  it("a reusable TLS token issued by A logs in on B; it is bound while its session lasts", async () => {
    const first = await onA(true)
    const { reply, token } = await first.login("ned", identity.ned.key)
    expect(reply.action).toBe(Action.OK)
    // the session on A still holds the name: refused on B, as a second login on one server
    const early = await onB(true)
    expect((await early.request(Action.LOGIN, ["ned", token])).info).toBe(ErrorCode.DUPSESS)
    first.close()
    let second: TestClient | undefined
    await until(async () => {
      const x = await onB(true)
      const r = await x.request(Action.LOGIN, ["ned", token])
      if (r.action === Action.OK) second = x
      else x.close()
      return r.action === Action.OK
    }, "token login on B")
    // a wrong token on A is ERR_HANDSHAKE once the session on B ended
    second!.close()
    await until(async () => (await probe.hexists("gochat:sessions", "ned")) === 0, "ned offline")
    const wrong = await onA(true)
    expect((await wrong.request(Action.LOGIN, ["ned", "x".repeat(token.length)])).info).toBe(ErrorCode.HANDSHAKE)
    wrong.close()
    // stored hashed: the token itself is nowhere in Redis
    const keys = await probe.keys("gochat:token:*")
    expect(keys).toContain("gochat:token:ned")
    expect(JSON.stringify(await probe.hgetall("gochat:token:ned"))).not.toContain(token)
    early.close()
  })
})

describe("faults", () => {
  let c: ServerProcess | undefined
  const dir = tempDir("gochat-cluster-")
  afterAll(() => {
    if (c !== undefined && c.child.exitCode === null) c.child.kill("SIGKILL")
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("Redis restarted under traffic: local delivery goes on, every OK'd message arrives or is stored, instances reconnect and say so once", async () => {
    c = await spawnServer([
      "--port", "0", "--address", "127.0.0.1", "--db", mariadbUrl(db), "--redis", redis.url,
      "--key-bits", TEST_KEY_BITS.join(","), "--data-dir", dir
    ])
    const sender = await loginOn(await TestClient.open(c.port).then((x) => pool.adopt(x)), "alice")
    const local = await loginOn(await TestClient.open(c.port).then((x) => pool.adopt(x)), "carol")
    const remote = await loginOn(await onA(), "bob")
    await until(async () => (await usrs(sender, UsrsType.ONLINE)).includes("bob"), "bob visible on C")
    const N = 200
    const replies: Array<Promise<Received>> = []
    let restarted: Promise<void> | undefined
    for (let i = 0; i < N; i++) {
      // a forwarded MSG whose answer was lost with Redis is ERR_SERVER after cluster.forward_timeout_ms (5 s)
      replies.push(sender.reply(sender.send(Action.MSG, ["bob", encodeStamp(Math.floor(Date.now() / 1000)), body("r", i)]), 20_000))
      replies.push(sender.reply(sender.send(Action.MSG, ["carol", encodeStamp(Math.floor(Date.now() / 1000)), body("l", i)]), 20_000))
      if (i === N / 4) restarted = redis.restart()
      if (i % 20 === 0) await new Promise((r) => setImmediate(r))
    }
    await restarted
    const outcomes = await Promise.all(replies)
    // local delivery never depended on Redis: every message to carol was OK'd and arrives
    const localOk = outcomes.filter((_, i) => i % 2 === 1)
    expect(localOk.every((r) => r.action === Action.OK)).toBe(true)
    const l: Array<string> = []
    while (l.length < N) l.push(tagOf(await local.waitFor((p) => p.action === Action.RECIV)))
    expect(l).toEqual(Array.from({ length: N }, (_, i) => `l:${i}`))
    // to bob (on A): OK'd ones arrived live or were stored; ERR_SERVER only where delivery is unknown
    const remoteReplies = outcomes.filter((_, i) => i % 2 === 0)
    const okd = remoteReplies.flatMap((r, i) => (r.action === Action.OK ? [`r:${i}`] : []))
    expect(remoteReplies.every((r) => r.action === Action.OK || r.info === ErrorCode.SERVER)).toBe(true)
    // the service works across instances again once the instances re-asserted themselves
    await until(async () => (await usrs(sender, UsrsType.ONLINE)).includes("bob"), "bob visible on C again")
    // until a message crosses live again (before the instances re-subscribed, one may be stored instead)
    let z = 0
    await until(async () => {
      expect((await sender.msg("bob", body("z", z++))).action).toBe(Action.OK)
      return remote.waitFor((p) => p.action === Action.RECIV && tagOf(p).startsWith("z:"), 500).then(() => true, () => false)
    }, "a cross-instance MSG delivered live after the restart")
    const liveTags = remote.pending().filter((p) => p.action === Action.RECIV).map(tagOf)
    remote.close()
    await until(async () => !(await usrs(sender, UsrsType.ONLINE)).includes("bob"), "bob offline")
    const again = await loginOn(await onA(), "bob")
    const stored = (await catchUp(again)).map(tagOf).filter((t) => t.startsWith("r:"))
    const delivered = [...liveTags, ...stored]
    for (const t of okd) expect(delivered, t).toContain(t)
    expect(new Set(delivered).size).toBe(delivered.length)
    again.close()
    sender.close()
    local.close()
    const lostLines = c.output().split("\n").filter((line) => line.includes("Redis connection lost"))
    expect(lostLines).toHaveLength(1)
    await until(() => c!.output().includes("Redis connection is back"), "reconnection logged")
  }, 60_000)

  it("an instance killed with SIGKILL: its users log in elsewhere within a few leases; messages to them are stored, not lost", async () => {
    const victim = c!
    const dave = await loginOn(await TestClient.open(victim.port).then((x) => pool.adopt(x)), "dave")
    const sender = await loginOn(await onB(), "erin")
    await until(async () => (await usrs(sender, UsrsType.ONLINE)).includes("dave"), "dave visible on B")
    expect(dave.closed).toBe(false)
    victim.child.kill("SIGKILL")
    await victim.exited
    const killedAt = Date.now()
    // messages sent meanwhile: each OK'd one is stored (nobody reads the dead instance's inbox)
    const sent = burst(sender, "dave", "k", 50)
    const replies = await Promise.all(sent.map((id) => sender.reply(id, 15_000)))
    const okd = replies.flatMap((r, i) => (r.action === Action.OK ? [`k:${i}`] : []))
    expect(replies.every((r) => r.action === Action.OK || r.info === ErrorCode.SERVER)).toBe(true)
    let back: TestClient | undefined
    await until(async () => {
      const x = await onA()
      const { reply } = await x.login("dave", identity.dave.key)
      if (reply.action === Action.OK) back = x
      else x.close()
      return reply.action === Action.OK
    }, "dave logs in on A", 10 * LEASE_MS)
    expect(Date.now() - killedAt).toBeLessThan(5 * LEASE_MS + 2000)
    const stored = (await catchUp(back!)).map(tagOf).filter((t) => t.startsWith("k:"))
    for (const t of okd) expect(stored).toContain(t)
    back!.close()
    sender.close()
  }, 60_000)
})

describe("through a real HAProxy (TCP mode) in front of both instances", () => {
  const dir = tempDir("gochat-haproxy-")
  let proxy: ReturnType<typeof spawn> | undefined
  let port = 0
  beforeAll(async () => {
    const haproxy = which("haproxy")
    if (haproxy === undefined) throw new Error("haproxy is not installed: sudo apt-get install -y haproxy")
    port = await freePort()
    const cfg = path.join(dir, "haproxy.cfg")
    fs.writeFileSync(cfg, [
      "global", "  maxconn 512",
      "defaults", "  mode tcp", "  timeout connect 5s", "  timeout client 1h", "  timeout server 1h",
      `frontend gochat`, `  bind 127.0.0.1:${port}`, "  default_backend instances",
      "backend instances", "  balance roundrobin",
      `  server a 127.0.0.1:${a.port} check inter 1s`,
      `  server b 127.0.0.1:${b.port} check inter 1s`,
      ""
    ].join("\n"))
    proxy = spawn(haproxy, ["-f", cfg, "-db"], { stdio: "ignore" })
    await until(async () => {
      try {
        const x = await TestClient.open(port)
        x.close()
        return true
      } catch {
        return false
      }
    }, "haproxy listening")
  })
  afterAll(() => {
    proxy?.kill("SIGKILL")
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("clients through one address land on both instances and talk as on one server", async () => {
    const open = () => TestClient.open(port).then((x) => pool.adopt(x))
    const clients: Array<TestClient> = []
    for (const name of ["kim", "leo", "mia", "ned"]) clients.push(await loginOn(await open(), name))
    // round robin put them on both instances
    const holders = await Promise.all(["kim", "leo", "mia", "ned"].map((n) => probe.hget("gochat:sessions", n)))
    expect(new Set(holders.map((v) => v?.split("\t")[0])).size).toBe(2)
    const [kim, leo, mia, ned] = clients
    await until(async () => (await usrs(kim, UsrsType.ONLINE)).filter((n) => ["kim", "leo", "mia", "ned"].includes(n)).length === 4, "all four online")
    for (const [from, to] of [[kim, "leo"], [leo, "mia"], [mia, "ned"], [ned, "kim"]] as const) {
      expect((await from.msg(to, body("h", 1))).action).toBe(Action.OK)
    }
    for (const c of clients) expect(tagOf(await c.waitFor((p) => p.action === Action.RECIV))).toBe("h:1")
    for (const c of clients) c.close()
  })
})

describe("scheduled shutdown", () => {
  it("ADMIN SHTDWN on A stops the whole service: B tells its users and stops at the same time", async () => {
    const owner = await loginOn(await onA(), "olga")
    const other = await loginOn(await onB(), "kim")
    const at = Math.floor(Date.now() / 1000) + 2
    expect((await owner.request(Action.ADMIN, [encodeStamp(at)], AdminOp.SHTDWN)).action).toBe(Action.OK)
    expect((await other.waitFor((p) => p.action === Action.SHTDWN)).action).toBe(Action.SHTDWN)
    await Promise.all([a.stopped, b.stopped])
    expect(Date.now()).toBeGreaterThanOrEqual(at * 1000)
  }, 20_000)
})
