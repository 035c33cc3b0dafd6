#!/usr/bin/env node
// `pnpm test`: makes sure every system program the suite runs is present, then runs every vitest
// project once. Missing programs are installed with one apt-get when running as root; otherwise it
// stops with one line saying what to install. Nothing is skipped silently.
// Extra arguments go to vitest (e.g. `pnpm test -- --reporter=json --outputFile=out.json`).
//
// TOOLS is the one list of what the tests need from the system: add a row when a test starts using a
// new program (`.ci/run` installs none of these, so CI proves that `pnpm test` alone is enough).
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** program → Debian package → the tests that run it */
export const TOOLS = [
  { bin: "mariadbd", pkg: "mariadb-server", usedBy: "the private MariaDB of every run (test-support/mariadb.ts): storage, server and bench tests" },
  { bin: "mariadb-install-db", pkg: "mariadb-server", usedBy: "creating that MariaDB's data directory" },
  { bin: "mariadb", pkg: "mariadb-client", usedBy: "creating that MariaDB's test user; apps/bench/test/harness.test.ts" },
  { bin: "tmux", pkg: "tmux", usedBy: "terminal end-to-end tests (apps/client/test/tui/e2e.test.ts, apps/client/test/shell/shell.test.ts)" },
  { bin: "docker-compose", pkg: "docker-compose", usedBy: "compose/test/compose.test.ts (validates compose/compose.yml and compose/cluster.yml)" },
  { bin: "redis-server", pkg: "redis-server", usedBy: "the private Redis of the cluster tests and bench (test-support/redis.ts): apps/server/test/cluster.test.ts, presence.conformance.test.ts" },
  { bin: "haproxy", pkg: "haproxy", usedBy: "the load balancer of apps/server/test/cluster.test.ts (end-to-end through HAProxy); compose/test/compose.test.ts checks compose/haproxy/haproxy.cfg" },
  { bin: "openssl", pkg: "openssl", usedBy: "test TLS certificates (apps/server/test/support/fixtures.ts, apps/client/test/support/fixtures.ts)" }
]

const dirs = () => [...(process.env.PATH ?? "").split(":").filter((d) => d !== ""), "/usr/sbin", "/usr/bin", "/sbin", "/bin"]

/** The full path of `bin`, looked up in PATH and the usual system directories. */
export const which = (bin) => {
  for (const d of dirs()) {
    const p = path.join(d, bin)
    if (fs.existsSync(p)) return p
  }
  return undefined
}

/**
 * Makes sure the programs `bins` (default: every row of TOOLS) exist: installs the missing ones' packages
 * with one apt-get when root, else throws one line naming the programs and the command to install them.
 */
export const ensureTools = (bins = TOOLS.map((t) => t.bin)) => {
  const missing = TOOLS.filter((t) => bins.includes(t.bin) && which(t.bin) === undefined)
  if (missing.length === 0) return
  const pkgs = [...new Set(missing.map((m) => m.pkg))].join(" ")
  const names = missing.map((m) => m.bin).join(", ")
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0
  if (!isRoot) throw new Error(`the tests need ${names}, which ${missing.length === 1 ? "is" : "are"} not installed: sudo apt-get install -y ${pkgs}`)
  console.log(`[test] installing ${pkgs} with apt-get (for ${names}) ...`)
  try {
    execFileSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${pkgs} >/dev/null`], {
      stdio: "inherit"
    })
  } catch {
    throw new Error(`apt-get install -y ${pkgs} failed (its output is above); the tests need ${names}`)
  }
  const still = missing.filter((m) => which(m.bin) === undefined)
  if (still.length > 0) throw new Error(`apt-get install ${pkgs} did not provide ${still.map((m) => m.bin).join(", ")}`)
}

const main = () => {
  try {
    ensureTools()
  } catch (e) {
    console.error(`pnpm test: ${e instanceof Error ? e.message : String(e)}`)
    process.exit(1)
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
  const require = createRequire(import.meta.url)
  const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs")
  const args = process.argv.slice(2)
  const child = spawn(process.execPath, [vitest, "run", ...(args[0] === "--" ? args.slice(1) : args)], { stdio: "inherit", cwd: root })
  child.on("exit", (code) => process.exit(code ?? 1))
}

if (process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) main()
