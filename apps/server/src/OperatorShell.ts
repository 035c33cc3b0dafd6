/**
 * `gochat-server -shell` (or `gochat-server shell`): the original's operator shell on the database. One
 * command a line, any case: the original's SETOWNER <user>, CLEARCACHE <user>, HELP and EXIT, and ours
 * (SETPERMS, USERS; the operations of Operator.ts, which the subcommands run too). On a terminal it shows a
 * prompt; without one it reads commands from stdin and ends at the end of input, with exit status 1 if a
 * command failed. It works while a server runs on the same database (SQLite in WAL mode, or MariaDB).
 */
import * as readline from "node:readline"
import { Console, Effect } from "effect"
import { OPERATIONS, type Operation, OperatorError, usageOf } from "./Operator.js"
import type { MessagesRepo } from "./storage/MessagesRepo.js"
import type { UsersRepo } from "./storage/UsersRepo.js"

const BUILT_INS = [
  { name: "help", args: [], doc: "list the commands" },
  { name: "exit", args: [], doc: "leave the shell (so does the end of input, or Ctrl-D)" }
] as const

/** The HELP text: every command, one line each. */
export const shellHelp = (): string => {
  const all = [...OPERATIONS, ...BUILT_INS]
  const width = Math.max(...all.map((c) => usageOf(c, true).length))
  return ["Commands (any case):", ...all.map((c) => `  ${usageOf(c, true).padEnd(width)}  ${c.doc}`)].join("\n")
}

type LineResult = "ok" | "failed" | "exit"

/** Runs one line; a failure prints one `error: ...` line on stderr and the shell goes on. */
export const runShellLine = (line: string): Effect.Effect<LineResult, never, UsersRepo | MessagesRepo> => {
  const [word, ...args] = line.trim().split(/\s+/).filter((w) => w !== "")
  if (word === undefined) return Effect.succeed("ok")
  const name = word.toLowerCase()
  if (name === "exit") return Effect.succeed("exit")
  if (name === "help") return Effect.as(Console.log(shellHelp()), "ok")
  const op: Operation | undefined = OPERATIONS.find((o) => o.name === name)
  const run: Effect.Effect<void, unknown, UsersRepo | MessagesRepo> = op === undefined
    ? new OperatorError({ message: `unknown command ${JSON.stringify(word)}; HELP lists the commands` })
    : args.length !== op.args.length
    ? new OperatorError({ message: `${word.toUpperCase()} takes ${op.args.length || "no"} argument(s): ${usageOf(op, true)}` })
    : op.run(args)
  return run.pipe(
    Effect.as<LineResult>("ok"),
    Effect.catchAll((e) => {
      const message = e instanceof OperatorError ? e.message : `database error: ${(e as { message?: string }).message ?? String(e)}`
      return Effect.as(Console.error(`error: ${message.split("\n")[0]}`), "failed" as const)
    })
  )
}

/** Reads and runs commands until EXIT or the end of input; returns how many failed. */
export const operatorShell = (where: string): Effect.Effect<number, never, UsersRepo | MessagesRepo> =>
  Effect.scoped(Effect.gen(function*() {
    const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true
    const rl = yield* Effect.acquireRelease(
      Effect.sync(() => readline.createInterface({ input: process.stdin, output: terminal ? process.stdout : undefined, terminal })),
      (rl) => Effect.sync(() => rl.close())
    )
    rl.on("SIGINT", () => rl.close())
    const lines = rl[Symbol.asyncIterator]()
    if (terminal) {
      yield* Console.log(`connected to the database ${where}; HELP lists the commands, EXIT leaves`)
      rl.setPrompt(`database@${where} > `)
    }
    let failures = 0
    while (true) {
      if (terminal) rl.prompt()
      const next = yield* Effect.promise(() => lines.next())
      if (next.done === true) break
      const result = yield* runShellLine(next.value)
      if (result === "exit") break
      if (result === "failed") failures++
    }
    return failures
  }))
