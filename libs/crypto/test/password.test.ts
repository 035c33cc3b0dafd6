import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { BCRYPT_COST, hashPassword, verifyPassword } from "../src/index.js"

describe("passwords", () => {
  it.effect("hashes with bcrypt cost 12 in Go's $2a$ format and verifies only the right password", () =>
    Effect.gen(function* () {
      expect(BCRYPT_COST).toBe(12)
      const hash = yield* hashPassword("hunter2 ✓")
      expect(hash).toMatch(/^\$2a\$12\$[./A-Za-z0-9]{53}$/)
      const [right, wrong] = yield* Effect.all([verifyPassword("hunter2 ✓", hash), verifyPassword("hunter2", hash)], {
        concurrency: 2
      })
      expect(right).toBe(true)
      expect(wrong).toBe(false)
    })
  )

  it.effect("verifies a published OpenBSD test vector (independent of this library)", () =>
    Effect.gen(function* () {
      const vector = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"
      expect(yield* verifyPassword("U*U", vector)).toBe(true)
      expect(yield* verifyPassword("U*V", vector)).toBe(false)
      expect(yield* verifyPassword("U*U", vector.replace("$2a$", "$2b$"))).toBe(true)
    })
  )

  it.effect("treats a malformed hash as no match", () =>
    Effect.gen(function* () {
      expect(yield* verifyPassword("pw", "")).toBe(false)
      expect(yield* verifyPassword("pw", "not a bcrypt hash")).toBe(false)
    })
  )
})
