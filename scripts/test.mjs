#!/usr/bin/env node
// `pnpm test`: makes sure MariaDB's binaries are present (installing mariadb-server with apt when
// root, or failing with what to install), then runs every vitest project once.
// Extra arguments go to vitest (e.g. `pnpm test -- --reporter=json --outputFile=out.json`).
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const has = (bin) => ["/usr/sbin", "/usr/bin", "/sbin", "/bin", ...(process.env.PATH ?? "").split(":")].some((d) => fs.existsSync(path.join(d, bin)))
const isRoot = typeof process.getuid === "function" && process.getuid() === 0

const need = [
  { bin: "mariadbd", pkg: "mariadb-server" },
  { bin: "tmux", pkg: "tmux" }
]
const missing = need.filter((n) => !has(n.bin))
if (missing.length > 0) {
  const pkgs = missing.map((m) => m.pkg).join(" ")
  if (!isRoot) {
    console.error(`The test suite needs ${missing.map((m) => m.bin).join(", ")}. Install with: sudo apt-get install -y ${pkgs}`)
    process.exit(1)
  }
  console.log(`[test] installing ${pkgs} with apt-get ...`)
  execFileSync("sh", ["-c", `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkgs} >/dev/null`], { stdio: "inherit" })
}

const require = createRequire(import.meta.url)
const vitest = path.join(path.dirname(require.resolve("vitest/package.json")), "vitest.mjs")
const args = process.argv.slice(2)
const child = spawn(process.execPath, [vitest, "run", ...(args[0] === "--" ? args.slice(1) : args)], { stdio: "inherit", cwd: root })
child.on("exit", (code) => process.exit(code ?? 1))
