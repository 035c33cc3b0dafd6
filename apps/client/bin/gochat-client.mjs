#!/usr/bin/env node
// gochat-client: runs the client from its TypeScript source.
import { fileURLToPath } from "node:url"
import { runTs } from "../../../scripts/run-ts.mjs"

runTs(fileURLToPath(new URL("../src/main.ts", import.meta.url)), process.argv.slice(2))
