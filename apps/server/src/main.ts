/**
 * Entry point: runs the command line with the Node platform, under ProcessStop.ts's stop-signal rules.
 * The exit code is the CLI's (`process.exitCode`: 2 for a command-line mistake, 1 for a failure); a
 * non-zero code exits at once even if a failed database driver left a handle open.
 */
import { NodeContext } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./Cli.js"
import { runMain } from "./ProcessStop.js"

run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    teardown: (_exit, onExit) => onExit(Number(process.exitCode ?? 0))
  })
)
