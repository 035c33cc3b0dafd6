#!/usr/bin/env node
// `pnpm start server [...]` / `pnpm start client [...]`: runs the app's bundle (built on first use and
// whenever its sources changed). `pnpm start bench [...]` runs the load generator from source.
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runApp, runTs } from "./run.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const apps = ["server", "client", "bench"]
const [which, ...rest] = process.argv.slice(2)
if (!which || !apps.includes(which)) {
  console.error(`usage: pnpm start <${apps.join("|")}> [options]   (try: pnpm start server --help)`)
  process.exit(2)
}
const args = rest[0] === "--" ? rest.slice(1) : rest
if (which === "bench") runTs(path.join(root, "apps/bench/src/main.ts"), args)
else await runApp(which, args)
