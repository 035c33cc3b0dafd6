// Runs a program of this repository in a child process, forwarding signals and the exit code:
// - runApp: an app's bundle (scripts/build.mjs; rebuilt first when its sources changed), for `pnpm start
//   server|client` and the apps' bin scripts;
// - runTs: a TypeScript entry point through tsx's loader (no build step), for `pnpm start bench`.
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import { ensureBuilt } from "./build.mjs"

const require = createRequire(import.meta.url)

/** @param {string[]} argv node's arguments */
const runNode = (argv) => {
  const child = spawn(process.execPath, argv, { stdio: "inherit" })
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig))
  child.on("exit", (code, signal) => process.exit(code ?? (signal === "SIGINT" ? 130 : 1)))
}

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
  runNode([entry, ...args])
}

/** @param {string} entry absolute path of the .ts file  @param {string[]} args */
export const runTs = (entry, args) => {
  const loader = new URL("./dist/loader.mjs", "file://" + require.resolve("tsx/package.json")).href
  runNode(["--import", loader, entry, ...args])
}
