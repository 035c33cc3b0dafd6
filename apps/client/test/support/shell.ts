/** The shell in-process over scripted input lines (non-TTY semantics: passwords are plain lines). */
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Queue } from "effect"
import { clientLayer, type ClientServices } from "../../src/core/index.js"
import { ShellMode } from "../../src/shell/commands.js"
import { runShell } from "../../src/shell/Shell.js"
import { ShellIo } from "../../src/shell/ShellIo.js"
import { freshConfig } from "./fixtures.js"

/** Run the shell in-process over scripted input lines; returns everything it printed. */
export const runScripted = async (configDir: string, lines: ReadonlyArray<string>) => {
  const config = await freshConfig(configDir)
  const output: Array<string> = []
  const io = Effect.gen(function*() {
    const input = yield* Queue.unbounded<string | undefined>()
    for (const l of lines) yield* Queue.offer(input, l)
    yield* Queue.offer(input, undefined)
    const take = Queue.take(input).pipe(Effect.tap((l) => (l === undefined ? Queue.offer(input, undefined) : Effect.void)))
    return ShellIo.of({
      tty: false,
      print: (text) => Effect.sync(() => void output.push(text)),
      readLine: () => take,
      readSecret: () => take,
      setPrompt: () => Effect.void
    })
  })
  const layer = Layer.mergeAll(
    clientLayer(config) as Layer.Layer<ClientServices>,
    Layer.effect(ShellIo, io),
    Layer.succeed(ShellMode, { interactive: true }),
    NodeContext.layer
  )
  const runtime = ManagedRuntime.make(layer)
  try {
    await runtime.runPromise(runShell())
  } finally {
    await runtime.dispose()
  }
  return output.join("\n")
}

