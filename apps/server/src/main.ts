/**
 * Entry point: composes the CLI with the Node platform and runs it. The exit code is the CLI's
 * (`process.exitCode`), or 1 for an unexpected failure; a non-zero code exits at once even if a failed
 * database driver left a handle open.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit } from "effect"
import { run } from "./Cli.js"

run(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disablePrettyLogger: true,
    teardown: (exit, onExit) =>
      onExit(Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : Number(process.exitCode ?? 0))
  })
)
