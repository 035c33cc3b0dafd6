/**
 * The interactive shell: a prompt (`gochat(<user>) >`, `(not connected) gochat() >`), one
 * command per line parsed with the shared @effect/cli grammar, incoming events printed above
 * the prompt, EXIT / Ctrl-D / end of stdin to leave. Also the event printer used by one-shot runs.
 */
import { CliConfig, CommandDescriptor, HelpDoc, ValidationError } from "@effect/cli"
import { Effect, Fiber, Queue, Stream, SubscriptionRef } from "effect"
import { Client, type ClientEvent } from "../core/Client.js"
import { ClientConfig } from "../core/Config.js"
import { CommandFailed, lineCommand } from "./commands.js"
import { failure, formatEvent } from "./format.js"
import { help, helpText } from "./help.js"
import { ShellIo } from "./ShellIo.js"
import { splitLine } from "./tokenize.js"

const cliConfig = CliConfig.make({ isCaseSensitive: false, showBuiltIns: false, finalCheckBuiltIn: false })

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "")

const validationText = (e: ValidationError.ValidationError) =>
  stripAnsi(HelpDoc.toAnsiText(e.error)).split("\n").map((l) => l.trim()).filter((l) => l.length > 0).join(" ")
    .replace(/is not a integer/g, "is not a whole number")

/**
 * Run one shell line (already split into words). Fails with CommandFailed when the command
 * failed (its error is already printed).
 */
export const runLine = (words: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const io = yield* ShellIo
    if (words.length === 0) return
    const name = words[0].toLowerCase()
    if (help(name) === undefined || name === "exit") {
      yield* io.print(failure(words[0], "command not found (type HELP for the list)"))
      return yield* new CommandFailed({ command: name })
    }
    if (words.slice(1).some((w) => w === "--help" || w === "-h")) return yield* io.print(helpText(name) ?? "")
    const parsed = yield* CommandDescriptor.parse(lineCommand.descriptor, ["gochat", name, ...words.slice(1)], cliConfig).pipe(
      Effect.either
    )
    if (parsed._tag === "Left") {
      yield* io.print(failure(name, `${validationText(parsed.left)} (usage: ${help(name)?.usage ?? name})`))
      return yield* new CommandFailed({ command: name })
    }
    const directive = parsed.right
    if (directive._tag === "BuiltIn") return yield* io.print(helpText(name) ?? "")
    if (directive.leftover.length > 0) {
      yield* io.print(failure(name, `unexpected argument "${directive.leftover[0]}" (usage: ${help(name)?.usage ?? name})`))
      return yield* new CommandFailed({ command: name })
    }
    yield* lineCommand.transform(lineCommand.handler(directive.value), directive.value)
  })

/**
 * Print client events as they come (above the prompt). Returns an effect that stops the
 * printer after printing everything already queued.
 */
export const startEventPrinter = Effect.gen(function*() {
  const io = yield* ShellIo
  const client = yield* Client
  const events = yield* client.subscribe
  const show = (e: ClientEvent) => {
    const text = formatEvent(e)
    return text === undefined ? Effect.void : io.print(text)
  }
  const fiber = yield* Effect.uninterruptibleMask((restore) => Effect.flatMap(restore(Queue.take(events)), show)).pipe(
    Effect.forever,
    Effect.forkScoped
  )
  return Fiber.interrupt(fiber).pipe(
    Effect.zipRight(Queue.takeAll(events)),
    Effect.flatMap((rest) => Effect.forEach(rest, show, { discard: true }))
  )
})

const promptFor = (st: { connection: string; user: string | undefined }, tty: boolean) => {
  const text = st.connection === "connected" ? `gochat(${st.user ?? ""}) > ` : "(not connected) gochat() > "
  return tty ? `\x1b[36m${text}\x1b[0m` : text
}

/**
 * The interactive loop. Ends at EXIT, Ctrl-D or end of input; disconnects on the way out.
 * Returns how many command lines failed (a script's exit status).
 */
export const runShell = (options: { readonly banner?: boolean } = {}) =>
  Effect.gen(function*() {
    const io = yield* ShellIo
    const client = yield* Client
    const config = yield* ClientConfig
    const stopPrinter = yield* startEventPrinter
    let failures = 0
    if (options.banner !== false && io.tty) yield* io.print("gochat shell - type HELP [command] for help, EXIT to leave")
    if (config.shellServer !== undefined) yield* runLine(["conn"]).pipe(Effect.ignore)
    // the prompt follows the state, also when the server drops us while we wait for a line
    yield* client.state.changes.pipe(
      Stream.runForEach((st) => io.setPrompt(promptFor(st, io.tty))),
      Effect.forkScoped
    )
    while (true) {
      const st = yield* SubscriptionRef.get(client.state)
      const line = yield* io.readLine(promptFor(st, io.tty), "command").pipe(Effect.orElseSucceed(() => ""))
      if (line === undefined) {
        if (io.tty) yield* io.print("") // Ctrl-D: end the prompt's line before the system shell's
        break
      }
      const words = splitLine(line)
      if (!words.ok) {
        yield* io.print(failure(line.trim().split(/\s+/)[0] ?? "", words.error))
        failures++
        continue
      }
      if (words.words.length === 0) continue
      const name = words.words[0].toLowerCase()
      if (name === "exit" || name === "quit") {
        if (!words.words.slice(1).some((w) => w === "--help" || w === "-h")) break
        yield* io.print(helpText("exit") ?? "")
        continue
      }
      yield* runLine(words.words).pipe(
        Effect.catchTag("CommandFailed", () => Effect.sync(() => void failures++)),
        Effect.catchAllDefect((d) =>
          Effect.zipRight(io.print(failure(name, `internal error: ${String(d)}`)), Effect.sync(() => void failures++))
        )
      )
    }
    const st = yield* SubscriptionRef.get(client.state)
    if (st.connection === "connected") yield* client.connection.disconnect().pipe(Effect.ignore)
    yield* stopPrinter
    return { failures }
  }).pipe(Effect.scoped)
