/**
 * Vitest global setup: one private MariaDB for the whole run, and the apps' bundles (what `pnpm start`
 * runs) rebuilt if their sources changed, for the tests that run the server or client as a process.
 * Test files read the MariaDB address with `inject("mariadb")` (see ./index.ts) and create their own
 * database in it.
 */
import type { TestProject } from "vitest/node"
import { ensureBuilt } from "../scripts/build.mjs"
import { startMariadb, type MariadbInfo, type RunningMariadb } from "./mariadb.js"

declare module "vitest" {
  export interface ProvidedContext {
    mariadb: MariadbInfo
  }
}

let running: RunningMariadb | undefined

export async function setup(project: TestProject) {
  await Promise.all([ensureBuilt("server"), ensureBuilt("client")])
  running = await startMariadb()
  const { stop: _stop, ...info } = running
  project.provide("mariadb", info)
  process.env.GOCHAT_TEST_MARIADB = JSON.stringify(info)
}

export async function teardown() {
  await running?.stop()
}
