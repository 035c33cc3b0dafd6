/** File helpers for IMPORT / EXPORT / RECOVER: paths under the data dir, private files (0600). */
import { Effect } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { Client } from "../Client.js"
import { FileFailure, UsageError } from "../errors.js"

/** Relative names resolve inside `dir`; absolute paths are kept. */
export const resolveIn = (dir: string, file: string) => (path.isAbsolute(file) ? file : path.join(dir, file))

export const readText = (file: string) =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8"),
    catch: (e) => new FileFailure({ path: file, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message })
  })

/** Write a file only its owner can read (mode 0600, also when it already existed). */
export const writePrivate = (file: string, text: string) =>
  Effect.try({
    try: () => {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      fs.writeFileSync(file, text, { mode: 0o600 })
      fs.chmodSync(file, 0o600)
    },
    catch: (e) => new FileFailure({ path: file, reason: (e as Error).message })
  })

/** The server a local-account command is about: the named one, else the connected one. */
export const targetServer = (name: string | undefined) =>
  Effect.gen(function*() {
    const client = yield* Client
    if (name !== undefined) return yield* client.store.requireServer(name)
    return yield* client.server.pipe(
      Effect.mapError(() => new UsageError({ reason: "which server is the account for? connect first or give --server <name>" }))
    )
  })
