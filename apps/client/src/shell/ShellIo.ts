/**
 * Terminal input/output of the shell. On a TTY: a readline prompt, hidden password input, and
 * lines printed above the prompt without disturbing what the user is typing. Without a TTY:
 * commands and passwords are plain stdin lines (no prompt, no echo), and EOF ends input.
 */
import { Context, Effect, Layer, Queue } from "effect"
import * as readline from "node:readline"

export interface ShellIoShape {
  /** Whether input is an interactive terminal. */
  readonly tty: boolean
  /** Print text (one or more lines) above the prompt. */
  readonly print: (text: string) => Effect.Effect<void>
  /** Next input line, after showing `prompt` on a TTY. `undefined` at end of input. */
  readonly readLine: (prompt: string) => Effect.Effect<string | undefined>
  /** Like readLine, but nothing typed is shown. */
  readonly readSecret: (prompt: string) => Effect.Effect<string | undefined>
}

export class ShellIo extends Context.Tag("client/shell/ShellIo")<ShellIo, ShellIoShape>() {}

type Line = { readonly line: string } | { readonly eof: true }

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
    let prompting = false
    if (tty) {
      const write = rl._writeToOutput?.bind(rl)
      rl._writeToOutput = (s: string) => {
        if (!muted) write?.(s)
        else if (s.includes("\n")) write?.("\n")
      }
    }

    // Ctrl-C on a TTY: abandon the current line like a shell does (EXIT or Ctrl-D quits).
    rl.on("SIGINT", () => {
      output.write("^C\n")
      const editable = rl as unknown as { line: string; cursor: number }
      editable.line = ""
      editable.cursor = 0
      if (prompting) rl.prompt()
    })

    const take = Effect.flatMap(Queue.take(lines), (l) =>
      Effect.sync(() => {
        prompting = false
        if ("eof" in l) {
          Queue.unsafeOffer(lines, l) // every later read sees EOF too
          return undefined
        }
        return l.line
      }))

    const readLine = (prompt: string) =>
      Effect.suspend(() => {
        if (tty && !ended) {
          rl.setPrompt(prompt)
          rl.prompt()
          prompting = true
        }
        return take
      })

    const readSecret = (prompt: string) =>
      Effect.suspend(() => {
        if (!tty) return take
        rl.setPrompt("")
        output.write(prompt)
        muted = true
        prompting = false
        return Effect.ensuring(take, Effect.sync(() => (muted = false)))
      })

    const print = (text: string) =>
      Effect.sync(() => {
        const body = text.endsWith("\n") ? text : text + "\n"
        if (tty && prompting) {
          readline.clearLine(output, 0)
          readline.cursorTo(output, 0)
          output.write(body)
          rl.prompt(true)
        } else {
          output.write(body)
        }
      })

    return ShellIo.of({ tty, print, readLine, readSecret })
  })

export const NodeShellIoLive = Layer.scoped(ShellIo, makeNodeShellIo())
