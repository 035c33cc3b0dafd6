#!/usr/bin/env node
// gochat-server: runs the server's bundle (built from the TypeScript sources on first use, scripts/build.mjs).
import { runApp } from "../../../scripts/run.mjs"

await runApp("server", process.argv.slice(2))
