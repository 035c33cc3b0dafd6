#!/usr/bin/env node
// `pnpm start server [...]` / `pnpm start client [...]`: runs an app from its TypeScript source with tsx.
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const apps = { server: "apps/server/src/main.ts", client: "apps/client/src/main.ts", bench: "apps/bench/src/main.ts" }
const [which, ...rest] = process.argv.slice(2)
if (!which || !(which in apps)) {
  console.error(`usage: pnpm start <${Object.keys(apps).join("|")}> [options]   (try: pnpm start server --help)`)
  process.exit(2)
}
const require = createRequire(import.meta.url)
const tsxCli = require.resolve("tsx/cli")
const args = rest[0] === "--" ? rest.slice(1) : rest
const child = spawn(process.execPath, [tsxCli, path.join(root, apps[which]), ...args], { stdio: "inherit" })
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig))
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + 1 : 1)))
