import { defineProject } from "vitest/config"

export default defineProject({
  test: { name: "compose", include: ["test/**/*.test.ts"], testTimeout: 60_000, setupFiles: ["../test-support/cleanup.ts"] }
})
