/** @jsxRuntime automatic @jsxImportSource react */
/**
 * Entry of the TUI: loads the configuration, opens the core over the local store, draws the
 * screen on the alternate buffer and returns once the user quits (Ctrl-Q) or a signal arrives.
 */
import * as path from "node:path"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Scope } from "effect"
import { render } from "ink"
import { loadConfig } from "../core/index.js"
import { COMMANDS } from "./commands/index.js"
import { App } from "./components/App.js"
import { Controller } from "./controller.js"
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON } from "./keys/parseKey.js"
import { LOCAL } from "./state/model.js"
import { makeCoreBackend } from "./coreBackend.js"

export interface TuiOptions {
  /** config.json to use; default `<dataDir>/config.json`. */
  readonly configPath?: string
  /** Shows the intermediate steps of commands. */
  readonly verbose?: boolean
  /** Folder of config.json, the database and import/, export/; default $GOCHAT_HOME or ~/.gochat. */
  readonly dataDir?: string
}

const ENTER_ALT_SCREEN = "\x1b[?1049h\x1b[H"
const LEAVE_ALT_SCREEN = "\x1b[?1049l"

export const runTui = async (options: TuiOptions = {}): Promise<void> => {
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    process.stderr.write("gochat: the TUI needs a terminal on stdin and stdout (use the shell mode for pipes)\n")
    process.exitCode = 1
    return
  }
  // Effect logs (warnings and worse) become System lines of the Local server instead of text
  // written over the screen; until the controller exists they go to stderr.
  let logLine: (text: string) => void = (text) => void process.stderr.write(`${text}\n`)
  const logger = Logger.make(({ logLevel, message, cause }) => {
    const text = [...(Array.isArray(message) ? message : [message]).map(String), ...(Cause.isEmpty(cause) ? [] : [Cause.pretty(cause)])]
    logLine(`${logLevel.label}: ${text.join(" ")}`)
  })
  const runtime = ManagedRuntime.make(
    Logger.replace(Logger.defaultLogger, logger).pipe(Layer.merge(Logger.minimumLogLevel(LogLevel.Warning)))
  )
  const scope = await runtime.runPromise(Scope.make())
  try {
    const configPath = options.configPath ?? (options.dataDir !== undefined ? path.join(options.dataDir, "config.json") : undefined)
    const debugBuffer = (config: { readonly debugBuffer: boolean }) => options.verbose === true && config.debugBuffer
    const opened = await runtime.runPromiseExit(
      loadConfig(configPath).pipe(
        Effect.mapError((e) => e.message),
        Effect.flatMap((config) =>
          Effect.map(
            Effect.mapError(makeCoreBackend(config, { packetDumps: debugBuffer(config) }), (e) => e.message),
            (backend) => ({ backend, config })
          )
        ),
        Scope.extend(scope)
      )
    )
    if (Exit.isFailure(opened)) {
      const failure = Cause.failureOption(opened.cause)
      process.stderr.write(`gochat: ${failure._tag === "Some" ? failure.value : Cause.pretty(opened.cause)}\n`)
      process.exitCode = 1
      return
    }
    const { backend, config } = opened.value
    const controller = new Controller({
      backend,
      runtime,
      commands: COMMANDS,
      verbose: options.verbose ?? false,
      debugBuffer: debugBuffer(config)
    })
    logLine = (text) => controller.dispatch({ _tag: "System", target: { server: LOCAL }, text, stamp: Date.now() })
    process.stdout.write(ENTER_ALT_SCREEN + BRACKETED_PASTE_ON)
    // Raw mode before the first frame: keys typed as soon as the screen shows must reach the TUI,
    // not the terminal's line discipline (where Ctrl-S would stop the output).
    process.stdin.setRawMode(true)
    const instance = render(<App controller={controller} />, { exitOnCtrlC: false, patchConsole: true })
    controller.onRedraw = () => {
      instance.clear()
      process.stdout.write("\x1b[2J\x1b[H")
    }
    const onSignal = () => controller.quit()
    // A closed terminal (EIO/EPIPE on write) ends the TUI instead of crashing it.
    const onStdoutError = () => controller.quit()
    for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.on(signal, onSignal)
    process.stdout.on("error", onStdoutError)
    controller.start()
    try {
      await controller.quitted
    } finally {
      for (const signal of ["SIGTERM", "SIGHUP", "SIGINT"] as const) process.off(signal, onSignal)
      instance.unmount()
      if (process.stdin.isTTY) process.stdin.setRawMode(false)
      if (process.stdout.writable) process.stdout.write(BRACKETED_PASTE_OFF + LEAVE_ALT_SCREEN)
      await controller.dispose()
      logLine = (text) => void process.stderr.write(`${text}\n`)
    }
  } finally {
    await runtime.runPromise(Scope.close(scope, Exit.void))
    await runtime.dispose()
  }
}
