/**
 * Terminal input/output of the shell. On a TTY: a readline prompt, hidden password input, and
 * lines printed above the prompt without disturbing what the user is typing. Without a TTY:
 * commands and passwords are plain stdin lines (no prompt, no echo), and EOF ends input.
 */
import { Context, Data, Effect, Layer, Option, Queue } from "effect"
import * as readline from "node:readline"

export interface ShellIoShape {
  /** Whether input is an interactive terminal. */
  readonly tty: boolean
  /** Print text (one or more lines) above the prompt. */
  readonly print: (text: string) => Effect.Effect<void>
  /**
   * Next input line, after showing `prompt` on a TTY. `undefined` at end of input. Fails with
   * InputCancelled when the user presses Ctrl-C while a command asks for input (not at the
   * command prompt, where Ctrl-C only abandons the line).
   */
  readonly readLine: (prompt: string, kind?: "command" | "input") => Effect.Effect<string | undefined, InputCancelled>
  /** Like readLine for a command's input, but nothing typed is shown. */
  readonly readSecret: (prompt: string) => Effect.Effect<string | undefined, InputCancelled>
  /** Change the command prompt, redrawing it at once if it is showing (e.g. after a disconnection). */
  readonly setPrompt: (prompt: string) => Effect.Effect<void>
}

/** Ctrl-C while a command was asking for input. */
export class InputCancelled extends Data.TaggedError("InputCancelled")<{}> {
  override get message() {
    return "cancelled (Ctrl-C)"
  }
}

export class ShellIo extends Context.Tag("client/shell/ShellIo")<ShellIo, ShellIoShape>() {}

type Line = { readonly line: string } | { readonly eof: true } | { readonly cancel: true }

interface MutableReadline extends readline.Interface {
  /** readline's internal output hook, replaced to hide password input. */
  _writeToOutput?: (s: string) => void
}

/** ShellIo over a readable and a writable stream (process.stdin/stdout by default). */
export const makeNodeShellIo = (
  input: NodeJS.ReadableStream & { isTTY?: boolean } = process.stdin,
  output: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout
) =>
  Effect.gen(function*() {
    const tty = input.isTTY === true && output.isTTY === true
    const lines = yield* Queue.unbounded<Line>()
    const rl: MutableReadline = yield* Effect.acquireRelease(
      Effect.sync(() =>
        readline.createInterface({ input, output: tty ? output : undefined, terminal: tty, historySize: tty ? 200 : 0 })
      ),
      (rl) => Effect.sync(() => rl.close())
    )
    let ended = false
    rl.on("line", (line) => void Queue.unsafeOffer(lines, { line }))
    rl.on("close", () => {
      ended = true
      Queue.unsafeOffer(lines, { eof: true })
    })
    let muted = false
    /** The command prompt is showing. */
    let prompting = false
    /** A command is reading a line or a password. */
    let asking = false
    let commandPrompt = ""
    /** The prompt of the password being read (readline does not draw it: input is hidden). */
    let secretPrompt = ""
    if (tty) {
      const write = rl._writeToOutput?.bind(rl)
      rl._writeToOutput = (s: string) => {
        if (!muted) write?.(s)
        else if (s.includes("\n")) write?.("\n")
      }
    }

    // Ctrl-C on a TTY: abandon the current line like a shell does (EXIT or Ctrl-D quits); while a
    // command asks for a password or a name, cancel that command.
    rl.on("SIGINT", () => {
      output.write("^C\n")
      const editable = rl as unknown as { line: string; cursor: number }
      editable.line = ""
      editable.cursor = 0
      if (asking) Queue.unsafeOffer(lines, { cancel: true })
      else if (prompting) rl.prompt()
    })

    const take = Effect.flatMap(Queue.take(lines), (l) =>
      Effect.suspend((): Effect.Effect<string | undefined, InputCancelled> => {
        prompting = false
        asking = false
        if ("eof" in l) {
          Queue.unsafeOffer(lines, l) // every later read sees EOF too
          return Effect.succeed(undefined)
        }
        if ("cancel" in l) return Effect.fail(new InputCancelled())
        return Effect.succeed(l.line)
      }))

    const readLine = (prompt: string, kind: "command" | "input" = "input") =>
      Effect.suspend(() => {
        if (kind === "command") commandPrompt = prompt
        // a line typed ahead (while the last command ran) was echoed already: no prompt before it
        const typedAhead = Option.getOrElse(lines.unsafeSize(), () => 0) > 0
        if (tty && !ended && !typedAhead) {
          rl.setPrompt(prompt)
          rl.prompt()
          prompting = kind === "command"
          asking = kind === "input"
        }
        return take
      })

    const readSecret = (prompt: string) =>
      Effect.suspend(() => {
        if (!tty) return take
        rl.setPrompt("")
        output.write(prompt)
        secretPrompt = prompt
        muted = true
        prompting = false
        asking = true
        return Effect.ensuring(take, Effect.sync(() => (muted = false)))
      })

    const setPrompt = (prompt: string) =>
      Effect.sync(() => {
        if (prompt === commandPrompt) return
        commandPrompt = prompt
        if (tty && prompting) {
          rl.setPrompt(prompt)
          readline.clearLine(output, 0)
          readline.cursorTo(output, 0)
          rl.prompt(true)
        }
      })

    const print = (text: string) =>
      Effect.sync(() => {
        const body = text.endsWith("\n") ? text : text + "\n"
        if (tty && (prompting || asking)) {
          // above the prompt (or the password/username question), which is then drawn again
          readline.clearLine(output, 0)
          readline.cursorTo(output, 0)
          output.write(body)
          if (muted) output.write(secretPrompt)
          else rl.prompt(true)
        } else {
          output.write(body)
        }
      })

    return ShellIo.of({ tty, print, readLine, readSecret, setPrompt })
  })

export const NodeShellIoLive = Layer.scoped(ShellIo, makeNodeShellIo())
