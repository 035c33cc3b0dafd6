import { Action, ErrorCode, UsrsType } from "@gochat/protocol"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { TestClient, text } from "./support/client.js"
import { backends, goldenKey, start } from "./support/fixtures.js"

const alice = goldenKey("alice")
const bob = goldenKey("bob")

describe.each(backends)("smoke on $name", (backend) => {
  let server: RunningServer
  beforeAll(async () => {
    server = await start(backend.fresh())
  })
  afterAll(() => server?.close())

  it("registers, logs in and relays", async () => {
    const a = await TestClient.open(server.port)
    expect(a.motd).toBe("Welcome to the server!")
    expect((await a.register("alice", alice.pem)).action).toBe(Action.OK)
    expect((await a.register("alice", alice.pem)).info).toBe(ErrorCode.EXISTS)
    const { reply } = await a.login("alice", alice.key)
    expect(reply.action).toBe(Action.OK)
    const b = await TestClient.open(server.port)
    expect((await b.register("bob", bob.pem)).action).toBe(Action.OK)
    expect((await b.login("bob", bob.key)).reply.action).toBe(Action.OK)
    const online = await a.request(Action.USRS, [], UsrsType.ONLINE)
    expect(text(online.args[0])).toBe("alice\nbob")
    const ok = await a.msg("bob", new Uint8Array([1, 2, 3]))
    expect(ok.action).toBe(Action.OK)
    const got = await b.waitFor((p) => p.action === Action.RECIV)
    expect(text(got.args[0])).toBe("alice")
    expect([...got.args[2]]).toEqual([1, 2, 3])
    a.close()
    b.close()
  })
})
