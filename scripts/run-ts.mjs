// Runs a TypeScript entry point through tsx's loader in this same process tree (no build step),
// forwarding signals and the exit code. Used by `pnpm start bench` (the apps run from bundles: run-app.mjs).
import { spawn } from "node:child_process"
import { createRequire } from "node:module"

const require = createRequire(import.meta.url)

/** @param {string} entry absolute path of the .ts file  @param {string[]} args */
export const runTs = (entry, args) => {
  const loader = new URL("./dist/loader.mjs", "file://" + require.resolve("tsx/package.json")).href
  const child = spawn(process.execPath, ["--import", loader, entry, ...args], { stdio: "inherit" })
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig))
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)))
}
