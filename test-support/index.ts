/**
 * Helpers for tests that need MariaDB: `mariadbInfo()` returns the private server started by
 * the global setup, `freshDatabase(prefix)` creates a new empty database in it and returns its name.
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { inject } from "vitest"
import type { MariadbInfo } from "./mariadb.js"
import { ensureMariadbBinaries } from "./mariadb.js"

export type { MariadbInfo }

export const mariadbInfo = (): MariadbInfo => {
  const fromEnv = process.env.GOCHAT_TEST_MARIADB
  return fromEnv ? (JSON.parse(fromEnv) as MariadbInfo) : inject("mariadb")
}

export const freshDatabase = (prefix = "t"): string => {
  const info = mariadbInfo()
  const name = `${prefix}_${randomBytes(6).toString("hex")}`
  const { client } = ensureMariadbBinaries()
  execFileSync(client, [`--socket=${info.socket}`, "-uroot", "-e", `CREATE DATABASE ${name}`])
  return name
}

export const mariadbUrl = (database: string): string => {
  const i = mariadbInfo()
  return `mysql://${i.user}:${encodeURIComponent(i.password)}@${i.host}:${i.port}/${database}`
}
