/**
 * How the server process is asked to stop (docs/IMPLEMENTATION.md §9): `runMain` runs the CLI
 * program like @effect/platform-node's, with these stop rules instead of its "first signal interrupts,
 * the next one kills":
 *
 * - SIGINT, SIGTERM, a stop request from scripts/run.mjs (the `pnpm start` wrapper, over the IPC channel)
 *   or that wrapper going away: the first one interrupts the program, which for `serve` is the graceful
 *   stop (SHTDWN to connected users, pending commits flushed, "stopped", exit code 0). Later ones are no-ops.
 * - A second SIGINT received by this process (a second Ctrl-C: the terminal sends it to the whole process
 *   group, so the wrapper's copy never counts) ends the process at once with exit code 130.
 */
import * as Runtime from "@effect/platform/Runtime"

/** A stop request from scripts/run.mjs. */
const isStopMessage = (m: unknown): boolean =>
  typeof m === "object" && m !== null && (m as { gochat?: unknown }).gochat === "stop"

export const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  // the program may wait on nothing but a Deferred: keep the event loop alive until it ends
  const keepAlive = setInterval(() => {}, 2 ** 31 - 1)
  let stopRequested = false
  let interrupts = 0

  const stop = () => {
    if (stopRequested) return
    stopRequested = true
    fiber.unsafeInterruptAsFork(fiber.id())
  }
  const onSigint = () => {
    interrupts++
    if (interrupts < 2) return stop()
    process.stderr.write("second interrupt: exiting without finishing the graceful stop\n")
    process.exit(130)
  }
  const onMessage = (m: unknown) => {
    if (isStopMessage(m)) stop()
  }
  process.on("SIGINT", onSigint)
  process.on("SIGTERM", stop)
  if (process.send !== undefined && process.connected) {
    process.on("message", onMessage)
    process.on("disconnect", stop)
    process.send({ gochat: "ready" })
    // the channel alone must not keep a finished command (users, migrate, ...) running
    process.channel?.unref()
  }

  fiber.addObserver((exit) => {
    clearInterval(keepAlive)
    process.off("SIGINT", onSigint)
    process.off("SIGTERM", stop)
    process.off("message", onMessage)
    process.off("disconnect", stop)
    teardown(exit, (code) => {
      // after a stop request something (a socket, the channel) may still hold the loop: exit explicitly
      if (stopRequested || code !== 0) process.exit(code)
    })
  })
})
