/**
 * The operator's operations on the database, shared by the subcommands (`gochat-server setowner alice`)
 * and the operator shell (`gochat-server -shell`, then `SETOWNER alice`). They open no listener and work
 * while a server runs on the same database; a level changed here applies from the user's next login.
 */
import { isPermission, isValidUsername, normalizeUsername, permissionName } from "@gochat/protocol"
import type { SqlError } from "@effect/sql/SqlError"
import { Console, Data, Effect, Option } from "effect"
import { MessagesRepo } from "./storage/MessagesRepo.js"
import { UsersRepo } from "./storage/UsersRepo.js"

/** An operator mistake (no such user, a bad level): one line, the operation is not done. */
export class OperatorError extends Data.TaggedError("OperatorError")<{ readonly message: string }> {}

const accountName = (raw: string) => {
  const name = normalizeUsername(raw)
  return isValidUsername(name)
    ? Effect.succeed(name)
    : Effect.fail(new OperatorError({ message: `invalid username ${JSON.stringify(raw)}: 1-32 letters or digits` }))
}

/** Parses a permission level argument: 0 (USER), 1 (ADMIN) or 2 (OWNER). */
export const parseLevel = (raw: string) => {
  const level = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  return isPermission(level)
    ? Effect.succeed(level)
    : Effect.fail(new OperatorError({ message: `invalid level ${JSON.stringify(raw)}: expected 0 (USER), 1 (ADMIN) or 2 (OWNER)` }))
}

export const setLevel = (rawName: string, level: number) =>
  Effect.gen(function*() {
    const name = yield* accountName(rawName)
    const users = yield* UsersRepo
    const found = yield* users.setPermission(name, level)
    if (!found) return yield* new OperatorError({ message: `no user "${name}"` })
    yield* Console.log(`${name} is now ${permissionName(level)} (${level})`)
    yield* Console.log("note: if the user is logged in, the new level applies from their next login")
  })

export const listUsers = Effect.gen(function*() {
  const users = yield* UsersRepo
  const all = yield* users.listAll()
  const width = Math.max(8, ...all.map((u) => u.username.length))
  yield* Console.log(`${"USERNAME".padEnd(width)}  LEVEL      DEREGISTERED`)
  for (const u of all) {
    const level = `${u.permission} ${permissionName(u.permission)}`
    yield* Console.log(`${u.username.padEnd(width)}  ${level.padEnd(9)}  ${u.deregistered ? "yes" : "no"}`)
  }
  yield* Console.log(`${all.length} account(s)`)
})

export const clearCache = (rawName: string) =>
  Effect.gen(function*() {
    const name = yield* accountName(rawName)
    const users = yield* UsersRepo
    const messages = yield* MessagesRepo
    const user = yield* users.findByName(name)
    if (Option.isNone(user)) return yield* new OperatorError({ message: `no user "${name}"` })
    const n = yield* messages.clearFor(user.value.id)
    yield* Console.log(`deleted ${n} stored message(s) for ${name}`)
  })

/** One operation as both the subcommand (`setperms alice 1`) and the shell command (`SETPERMS alice 1`) run it. */
export interface Operation {
  /** Lower case: the subcommand; upper case in the shell (which takes any case). */
  readonly name: string
  readonly args: ReadonlyArray<string>
  readonly doc: string
  readonly run: (args: ReadonlyArray<string>) => Effect.Effect<void, OperatorError | SqlError, UsersRepo | MessagesRepo>
}

export const OPERATIONS: ReadonlyArray<Operation> = [
  { name: "setowner", args: ["user"], doc: "make a user OWNER (level 2)", run: ([user]) => setLevel(user, 2) },
  {
    name: "setperms",
    args: ["user", "level"],
    doc: "set a user's permission level: 0 USER, 1 ADMIN, 2 OWNER",
    run: ([user, level]) => Effect.flatMap(parseLevel(level), (l) => setLevel(user, l))
  },
  { name: "users", args: [], doc: "list every account with its level and whether it is deregistered", run: () => listUsers },
  { name: "clearcache", args: ["user"], doc: "delete every stored offline message addressed to a user", run: ([user]) => clearCache(user) }
]

/** `setperms <user> <level>` */
export const usageOf = (op: { readonly name: string; readonly args: ReadonlyArray<string> }, upper = false): string =>
  [upper ? op.name.toUpperCase() : op.name, ...op.args.map((a) => `<${a}>`)].join(" ")
