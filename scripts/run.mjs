// Runs a program of this repository in a child process, passing on stop signals and the exit code:
// - runApp: an app's bundle (scripts/build.mjs; rebuilt first when its sources changed), for `pnpm start
//   server|client` and the apps' bin scripts;
// - runTs: a TypeScript entry point through tsx's loader (no build step), for `pnpm start bench`.
//
// Stopping (docs/IMPLEMENTATION.md §9). This wrapper, pnpm above it and the program below it share
// one process group: Ctrl-C in a terminal sends SIGINT to all three, so the program usually has its own
// signal already. For the server (`stopByMessage`) the wrapper therefore never sends it a signal once it
// is running: it sends a stop request over the IPC channel instead, which the server treats as "stop if
// not stopping yet" (only a second SIGINT of its own, a second Ctrl-C, forces an immediate exit). The other
// programs get the signal itself, as before. When the wrapper's parent goes away (pnpm killed, the shell
// that ran it gone) the wrapper asks the program to stop the same way instead of leaving it orphaned.
import { spawn } from "node:child_process"
import { createRequire } from "node:module"
import * as os from "node:os"
import { ensureBuilt } from "./build.mjs"

const require = createRequire(import.meta.url)

/** How often the wrapper checks that its parent is still there. */
const PARENT_CHECK_MS = 1000

/**
 * @param {string[]} argv node's arguments
 * @param {{ stopByMessage?: boolean }} [options] the program understands stop requests over IPC
 *   (apps/server/src/ProcessStop.ts); it says so with a "ready" message once it listens for them
 */
const runNode = (argv, { stopByMessage = false } = {}) => {
  const child = spawn(process.execPath, argv, {
    stdio: stopByMessage ? ["inherit", "inherit", "inherit", "ipc"] : "inherit"
  })
  let ready = false
  if (stopByMessage) {
    child.on("message", (m) => {
      if (m !== null && typeof m === "object" && m.gochat === "ready") ready = true
    })
  }
  const running = () => child.exitCode === null && child.signalCode === null
  /** @param {NodeJS.Signals} signal */
  const pass = (signal) => {
    if (!running()) return
    if (!stopByMessage || signal === "SIGHUP") child.kill(signal)
    else if (ready && child.connected) child.send({ gochat: "stop", signal })
    // not listening yet: SIGTERM stops it (a plain exit this early), and never counts as a second Ctrl-C
    else child.kill("SIGTERM")
  }
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => pass(signal))

  const parent = process.ppid
  const watch = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(watch)
    pass("SIGTERM")
  }, PARENT_CHECK_MS)

  child.on("exit", (code, signal) => {
    clearInterval(watch)
    process.exit(code ?? 128 + (os.constants.signals[signal] ?? 0))
  })
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
  runNode([entry, ...args], { stopByMessage: app === "server" })
}

/** @param {string} entry absolute path of the .ts file  @param {string[]} args */
export const runTs = (entry, args) => {
  const loader = new URL("./dist/loader.mjs", "file://" + require.resolve("tsx/package.json")).href
  runNode(["--import", loader, entry, ...args])
}
