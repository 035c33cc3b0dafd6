#!/usr/bin/env node
// `pnpm start server [...]` / `pnpm start client [...]` / `pnpm start bench [...]`: runs an app from source.
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { runTs } from "./run-ts.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const apps = { server: "apps/server/src/main.ts", client: "apps/client/src/main.ts", bench: "apps/bench/src/main.ts" }
const [which, ...rest] = process.argv.slice(2)
if (!which || !(which in apps)) {
  console.error(`usage: pnpm start <${Object.keys(apps).join("|")}> [options]   (try: pnpm start server --help)`)
  process.exit(2)
}
runTs(path.join(root, apps[which]), rest[0] === "--" ? rest.slice(1) : rest)
