import { execFileSync } from "node:child_process"
import { describe, expect, it } from "vitest"
import { mariadbInfo } from "../../../test-support/index.js"

describe("test harness", () => {
  it("provides a private MariaDB that answers queries", () => {
    const info = mariadbInfo()
    const out = execFileSync("mariadb", [`--socket=${info.socket}`, "-uroot", "-N", "-e", "SELECT 40 + 2"]).toString().trim()
    expect(out).toBe("42")
  })
})
