#!/usr/bin/env node
// Runs the server from its TypeScript source through tsx (no build step).
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { spawn } from "node:child_process"
const require = createRequire(import.meta.url)
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url))
const child = spawn(process.execPath, [require.resolve("tsx/cli"), main, ...process.argv.slice(2)], { stdio: "inherit" })
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig))
child.on("exit", (code) => process.exit(code ?? 1))
