import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Store } from "../../src/core/Store.js"
import { freshConfig, makeTestClient, type TestClient, tempDir } from "../support/fixtures.js"
import { commands } from "../../src/core/index.js"

describe("Store", () => {
  let client: TestClient
  beforeAll(async () => {
    client = await makeTestClient()
  })
  afterAll(() => client.dispose())

  it("creates the database and the config with mode 0600", () => {
    const mode = (f: string) => fs.statSync(f).mode & 0o777
    expect(mode(client.config.databasePath)).toBe(0o600)
    expect(mode(client.config.configPath)).toBe(0o600)
    expect(mode(client.config.exportDir)).toBe(0o700)
  })

  it("stores servers and refuses duplicates with a clear message", async () => {
    const s = await client.run(commands.regserver({ name: "home", address: "127.0.0.1", port: 9037, tls: true }))
    expect(s).toMatchObject({ name: "home", address: "127.0.0.1", port: 9037, tls: true, verifyTls: true })
    const dup = await client.fail(commands.regserver({ name: "home", address: "x", port: 1 }))
    expect(dup.message).toContain("already exists")
    const bad = await client.fail(commands.regserver({ name: "x", address: "x", port: 70000 }))
    expect(bad._tag).toBe("UsageError")
    const set = await client.run(commands.setserver({ name: "home", field: "server.port", value: "9038" }))
    expect(set.field).toBe("Server.Port") // shown the same way whatever spelling was typed
    await client.run(commands.setserver({ name: "home", field: "Server.TLS", value: "false" }))
    const fields = await client.run(commands.serverconfig({ name: "home" }))
    expect(fields.find((f) => f.field === "Server.Port")?.value).toBe("9038")
    expect(fields.find((f) => f.field === "Server.TLS")?.value).toBe("false")
    const unknown = await client.fail(commands.setserver({ name: "home", field: "Server.ID", value: "1" }))
    expect(unknown.message).toContain("unknown setting")
  })

  it("keeps local accounts of a deleted server as dangling, with their messages", async () => {
    const s = await client.run(commands.regserver({ name: "gone", address: "10.0.0.1", port: 1 }))
    const account = await client.run(Effect.flatMap(Store, (st) =>
      st.addLocalUser({ server: s, username: "zed", passwordHash: "x", privateKey: Uint8Array.of(1, 2, 3) })))
    await client.run(Effect.flatMap(Store, (st) =>
      st.addMessage({ localId: account.localId, peer: "amy", direction: "in", stamp: new Date(1_700_000_000_000), text: "hi" })))
    await client.run(commands.delserver({ name: "gone" }))
    const dangling = await client.run(Effect.flatMap(Store, (st) => st.danglingUsers("zed")))
    expect(dangling).toHaveLength(1)
    expect(dangling[0].serverLabel).toBe("gone - 10.0.0.1:1")
    expect(await client.run(Effect.flatMap(Store, (st) => st.allMessages(account.localId)))).toHaveLength(1)
    const all = await client.run(commands.usrs({ scope: "local-all" }))
    expect(all.users.find((u) => u.name === "zed")?.detail).toContain("RECOVER")
  })

  it("survives a reopen (migrations are versioned, not re-run)", async () => {
    const dir = tempDir()
    const config = await freshConfig(dir)
    const first = await makeTestClient(config)
    await first.run(commands.regserver({ name: "a", address: "h", port: 1 }))
    await first.dispose()
    const second = await makeTestClient(config)
    expect((await second.run(commands.servers())).map((s) => s.name)).toEqual(["a"])
    await second.dispose()
    expect(fs.existsSync(path.join(dir, "client.db"))).toBe(true)
  })
})
