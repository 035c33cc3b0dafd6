/**
 * Vitest global setup: one private MariaDB for the whole run. Test files read its
 * address with `inject("mariadb")` (see ./index.ts) and create their own database in it.
 */
import type { TestProject } from "vitest/node"
import { startMariadb, type MariadbInfo, type RunningMariadb } from "./mariadb.js"

declare module "vitest" {
  export interface ProvidedContext {
    mariadb: MariadbInfo
  }
}

let running: RunningMariadb | undefined

export async function setup(project: TestProject) {
  running = await startMariadb()
  const { stop: _stop, ...info } = running
  project.provide("mariadb", info)
  process.env.GOCHAT_TEST_MARIADB = JSON.stringify(info)
}

export async function teardown() {
  await running?.stop()
}
