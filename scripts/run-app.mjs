// Runs an app's bundle (scripts/build.mjs; rebuilt first when its sources changed) in a child process,
// forwarding signals and the exit code. Shared by `pnpm start` and the apps' bin scripts.
import { spawn } from "node:child_process"
import { ensureBuilt } from "./build.mjs"

/** @param {"server" | "client"} app  @param {string[]} args */
export const runApp = async (app, args) => {
  let entry
  try {
    entry = await ensureBuilt(app)
  } catch (e) {
    console.error(`cannot build the ${app}: ${e instanceof Error ? e.message : String(e)}`)
    console.error("run `pnpm install` first (it installs esbuild and the native modules)")
    process.exit(1)
  }
  // (the bundle has a source map: NODE_OPTIONS=--enable-source-maps maps stack traces to the TypeScript,
  // at the price of ~60 MB more memory)
  const child = spawn(process.execPath, [entry, ...args], { stdio: "inherit" })
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig))
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)))
}
