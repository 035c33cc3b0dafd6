#!/usr/bin/env node
// gochat-client: runs the client's bundle (built from the TypeScript sources on first use, scripts/build.mjs).
import { runApp } from "../../../scripts/run.mjs"

await runApp("client", process.argv.slice(2))
