import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { defaultDataDir, loadConfig } from "../../src/core/Config.js"
import { tempDir } from "../support/fixtures.js"

const load = (file: string) => Effect.runPromise(Effect.either(loadConfig(file)))

describe("config.json", () => {
  it("writes a working default (0600) where it was asked for", async () => {
    const file = path.join(tempDir(), "nested", "my.json")
    const r = await load(file)
    expect(r._tag).toBe("Right")
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    if (r._tag === "Right") {
      expect(r.right.databasePath).toBe(path.join(path.dirname(file), "client.db"))
      expect(r.right.shellServer).toBeUndefined()
      expect(fs.existsSync(r.right.importDir) && fs.existsSync(r.right.exportDir)).toBe(true)
    }
  })

  it("reads the original client's keys, including the example's `tls`", async () => {
    const file = path.join(tempDir(), "config.json")
    fs.writeFileSync(file, JSON.stringify({
      shell_server: { address: "chat.example.org", port: 8037, tls: true, verify_tls: false },
      database: { path: "db/client.db", log_path: "logs/database.log", log_level: 2 },
      ui_config: { debug_buffer: true },
      unknown_key: 1
    }))
    const r = await load(file)
    expect(r._tag === "Right" && r.right).toMatchObject({
      shellServer: { address: "chat.example.org", port: 8037, tls: true, verifyTls: false },
      databasePath: path.join(path.dirname(file), "db/client.db"),
      debugBuffer: true
    })
  })

  it("explains a broken file in one line", async () => {
    const file = path.join(tempDir(), "config.json")
    fs.writeFileSync(file, "{ not json")
    const bad = await load(file)
    expect(bad._tag === "Left" && bad.left.message).toContain("is not valid JSON")
    fs.writeFileSync(file, JSON.stringify({ shell_server: { port: "x" } }))
    const wrong = await load(file)
    expect(wrong._tag === "Left" && wrong.left.message).toContain("shell_server.port")
  })

  it("reads security.contact_key_bits (4096 only by default) and explains a bad size", async () => {
    const file = path.join(tempDir(), "config.json")
    const byDefault = await load(file)
    expect(byDefault._tag === "Right" && byDefault.right.contactKeyBits).toEqual([4096])
    fs.writeFileSync(file, JSON.stringify({ security: { contact_key_bits: [2048, 4096] } }))
    const widened = await load(file)
    expect(widened._tag === "Right" && widened.right.contactKeyBits).toEqual([2048, 4096])
    fs.writeFileSync(file, JSON.stringify({ security: { contact_key_bits: [768] } }))
    const weak = await load(file)
    expect(weak._tag === "Left" && weak.left.message).toMatch(/security\.contact_key_bits\.0: RSA modulus sizes are multiples of 8 between 2048 and 8192/)
  })

  it("lives in $GOCHAT_HOME, else ~/.gochat", () => {
    expect(defaultDataDir({ GOCHAT_HOME: "/srv/chat" })).toBe("/srv/chat")
    expect(defaultDataDir({})).toMatch(/\.gochat$/)
  })
})
