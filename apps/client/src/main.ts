/**
 * `pnpm start client [options]` / `gochat-client`:
 *   (no command)      the TUI
 *   --shell           the interactive shell
 *   <command> ...     one command, then exit (e.g. `gochat-client msg --server local --user alice bob "hi"`)
 * Global options: --config <file>, --verbose; the original's -shell, -config FILE, -verbose work too, and
 * config.json in the working directory is used when no configuration is given (CommandLine.ts).
 */
import { CliConfig, Command, CommandDescriptor, Options, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Layer, Option, SubscriptionRef } from "effect"
import { Client } from "./core/Client.js"
import { discoverConfig, fromOriginalSpellings, helpText, NAME, validationLine } from "./CommandLine.js"
import { loadConfig } from "./core/Config.js"
import { clientLayer } from "./core/index.js"
import { describeFailure, versionWithCommit } from "@gochat/protocol"
import { CLIENT_VERSION } from "./core/commands/ver.js"
import { type CommandFailed, ShellMode, subcommands } from "./shell/commands.js"
import type { FileFailure, StoreFailure } from "./core/errors.js"
import { hoistGlobalOptions } from "./shell/argv.js"
import { runShell, startEventPrinter } from "./shell/Shell.js"
import { NodeShellIoLive } from "./shell/ShellIo.js"

const rootOptions = {
  shell: Options.boolean("shell").pipe(Options.withDescription("Open the interactive shell instead of the TUI.")),
  config: Options.text("config").pipe(
    Options.withDescription("config.json to use (default: $GOCHAT_HOME/config.json or ~/.gochat/config.json)."),
    Options.optional
  ),
  verbose: Options.boolean("verbose").pipe(Options.withDescription("Show packet dumps."))
}

/** The services commands run with, for one configuration. */
const servicesLayer = (configPath: Option.Option<string>, interactive: boolean) =>
  Layer.unwrapEffect(
    Effect.map(loadConfig(Option.getOrUndefined(configPath)), (config) =>
      Layer.mergeAll(clientLayer(config), NodeShellIoLive, Layer.succeed(ShellMode, { interactive })))
  )

const setVerbose = (on: boolean) => (on ? Effect.flatMap(Client, (c) => c.setVerbose(true)) : Effect.void)

/** A one-shot command: print events while it runs and those it caused, then disconnect. */
const oneShot = <E, R>(effect: Effect.Effect<void, E, R>, verbose: boolean) =>
  Effect.gen(function*() {
    const stopPrinter = yield* startEventPrinter
    yield* setVerbose(verbose)
    const exit = yield* Effect.exit(effect)
    const client = yield* Client
    const st = yield* SubscriptionRef.get(client.state)
    if (st.connection === "connected") yield* client.connection.disconnect().pipe(Effect.ignore)
    yield* stopPrinter
    return yield* exit
  }).pipe(Effect.scoped)

const root = Command.make("gochat-client", rootOptions, (o) =>
  o.shell
    ? Effect.zipRight(setVerbose(o.verbose), runShell()).pipe(
      // a script fed through stdin fails (exit status 1) if any of its commands failed
      Effect.tap(({ failures }) =>
        Effect.sync(() => void (failures > 0 && process.stdin.isTTY !== true && (process.exitCode = 1)))
      ),
      Effect.asVoid,
      Effect.provide(servicesLayer(o.config, true))
    )
    : Effect.promise(async () => {
      // Ink renders only a final frame when it believes it runs in CI (CI / CONTINUOUS_INTEGRATION set,
      // read once when Ink loads): a person at a terminal must get the live TUI whatever their env says.
      if (process.stdout.isTTY === true) {
        delete process.env.CI
        delete process.env.CONTINUOUS_INTEGRATION
      }
      const { runTui } = await import("./tui/main.js")
      await runTui({ ...(Option.isSome(o.config) ? { configPath: o.config.value } : {}), verbose: o.verbose })
    })).pipe(
    Command.withDescription("gochat v1 client: TUI by default, --shell for the shell, or one command."),
    Command.withSubcommands(subcommands),
    Command.transformHandler((effect, o) =>
      Option.isSome(o.subcommand)
        ? oneShot(effect, o.verbose).pipe(Effect.provide(servicesLayer(o.config, false)))
        // The root handler (TUI or shell) provides its own services.
        : (effect as Effect.Effect<void, Effect.Effect.Error<typeof effect>>))
  )

const cli = Command.run(root, { name: NAME, version: versionWithCommit(CLIENT_VERSION) })
const cliConfig = CliConfig.make({ isCaseSensitive: false })

const given = hoistGlobalOptions(fromOriginalSpellings(process.argv.slice(2)))
const { args, note } = discoverConfig(given, process.cwd(), process.env)
const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args
/** The command named on the line (skipping `--config <file>`), if any. */
const commandWord = options.find((a, i) => !a.startsWith("-") && options[i - 1] !== "--config")

// Every branch provides the command services itself (see transformHandler above); the types
// cannot see that, so the requirement is narrowed here.
const runCommand = cli([...process.argv.slice(0, 2), ...args]) as Effect.Effect<
  void,
  CommandFailed | StoreFailure | FileFailure | ValidationError.ValidationError,
  NodeContext.NodeContext
>

/** Parsed first without running, so a mistake is one line of ours rather than @effect/cli's printed help. */
const program = options.includes("--help")
  ? Console.log(helpText(versionWithCommit(CLIENT_VERSION), commandWord))
  : options.includes("--version")
  ? Console.log(versionWithCommit(CLIENT_VERSION))
  : Effect.zipRight(
    note === undefined ? Effect.void : Effect.sync(() => void process.stderr.write(`${note}\n`)),
    CommandDescriptor.parse(root.descriptor, [NAME, ...args], cliConfig).pipe(
      Effect.matchEffect({
        onFailure: (e) => Effect.sync(() => fail(validationLine(e, args, commandWord), 2)),
        onSuccess: () => runCommand
      })
    )
  )

program.pipe(
  Effect.catchTags({
    CommandFailed: () => Effect.sync(() => void (process.exitCode = 1)),
    StoreFailure: (e) => Effect.sync(() => fail(e.message)),
    FileFailure: (e) => Effect.sync(() => fail(e.message))
  }),
  Effect.catchIf(ValidationError.isValidationError, () => Effect.sync(() => void (process.exitCode = 2))),
  // anything else: one line, never a stack trace or [object Object]
  Effect.catchAllCause((cause) =>
    Cause.isInterruptedOnly(cause) ? Effect.void : Effect.sync(() => fail(describeFailure(Cause.squash(cause))))),
  Effect.provide(Layer.mergeAll(NodeContext.layer, CliConfig.layer(cliConfig))),
  NodeRuntime.runMain({ disableErrorReporting: true })
)

function fail(message: string, code = 1) {
  process.stderr.write(`${NAME}: ${message}\n`)
  process.exitCode = code
}
