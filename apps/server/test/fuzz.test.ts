/**
 * Random frames (any header fields, any payload, cut anywhere) never crash the server, never make it send
 * an invalid frame, and never disturb other users.
 */
import { Action, encodeHeader, UsrsType } from "@gochat/protocol"
import { FastCheck as fc } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../src/index.js"
import { TestClient, text } from "./support/client.js"
import { backends, freshIdentities, start } from "./support/fixtures.js"

const frameArb = fc.record({
  version: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 15 })),
  action: fc.oneof(fc.integer({ min: 1, max: 0x12 }), fc.integer({ min: 0, max: 255 })),
  info: fc.integer({ min: 0, max: 255 }),
  args: fc.integer({ min: 0, max: 15 }),
  len: fc.integer({ min: 0, max: 300 }),
  id: fc.integer({ min: 0, max: 1023 }),
  payload: fc.uint8Array({ maxLength: 320 }),
  crlfs: fc.array(fc.nat({ max: 319 }), { maxLength: 6 })
}).map((f) => {
  const payload = Buffer.from(f.payload)
  for (const at of f.crlfs) if (at + 1 < payload.length) payload.set([0x0d, 0x0a], at)
  const out = Buffer.alloc(10 + payload.length)
  encodeHeader({ version: f.version, action: f.action, info: f.info, args: f.args, len: f.len, id: f.id }, out, 0)
  out[8] = 0x0d
  out[9] = 0x0a
  payload.copy(out, 10)
  return out
})

describe("fuzzed input", () => {
  let server: RunningServer
  let bystander: TestClient
  beforeAll(async () => {
    const [id] = await freshIdentities(1)
    server = await start(backends[0].fresh())
    bystander = await TestClient.open(server.port)
    expect((await bystander.register("calm", id.pem)).action).toBe(Action.OK)
    expect((await bystander.login("calm", id.key)).reply.action).toBe(Action.OK)
  })
  afterAll(async () => {
    bystander?.close()
    await server?.close()
  })

  it("random frames get only valid replies and leave everyone else undisturbed", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 3 }), async (frames) => {
        const c = await TestClient.open(server.port)
        c.sendRaw(Buffer.concat(frames))
        c.socket.end()
        await c.waitClosed()
        expect(c.framingError).toBeUndefined()
        for (const p of c.pending()) {
          if (p.id === 0) expect([Action.ERR, Action.HELLO, Action.HOOK, Action.RECIV, Action.SHTDWN]).toContain(p.action)
        }
        const online = await bystander.request(Action.USRS, [], UsrsType.ONLINE)
        expect(text(online.args[0])).toBe("calm")
      }),
      { numRuns: 150 }
    )
  })
})
