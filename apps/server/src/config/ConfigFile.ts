/**
 * The server.json file: the original's keys (database.*, server.address/port/max_clients, server.tls.*,
 * server.logs.*, server.default_motd) plus ours; the keys are those of the SETTINGS table (ServerConfig.ts).
 * A file is read into its values by dotted key; a key no setting has is rejected, so a typo is an error
 * rather than a silently ignored setting. The values are decoded, with errors naming the file and key,
 * when the settings are resolved.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { Either } from "effect"

export interface ConfigFile {
  /** Absolute path of the file, as error messages name it. */
  readonly path: string
  /** Each value given, by dotted key (`server.port`). */
  readonly values: ReadonlyMap<string, unknown>
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The values of a parsed file, by dotted key; an unknown key or a section that is no object is an error. */
const flatten = (json: unknown, keys: ReadonlySet<string>): Either.Either<Map<string, unknown>, string> => {
  const values = new Map<string, unknown>()
  const sections = new Set([...keys].flatMap((k) => k.split(".").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("."))))
  const walk = (o: Record<string, unknown>, prefix: string): string | undefined => {
    for (const [name, value] of Object.entries(o)) {
      const key = prefix ? `${prefix}.${name}` : name
      if (keys.has(key)) values.set(key, value)
      else if (sections.has(key)) {
        if (!isObject(value)) return `${key}: expected an object (a section of settings), got ${JSON.stringify(value)}`
        const error = walk(value, key)
        if (error) return error
      } else return `${key}: unknown key (gochat-server --help lists the keys)`
    }
    return undefined
  }
  if (!isObject(json)) return Either.left("expected a JSON object with server and database sections")
  const error = walk(json, "")
  return error ? Either.left(error) : Either.right(values)
}

const parseFile = (file: string): Either.Either<unknown, string> => {
  let text: string
  try {
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    return Either.left(`${file}: cannot read the config file (${(e as NodeJS.ErrnoException).code ?? String(e)}); check the path given to --config`)
  }
  try {
    return Either.right(JSON.parse(text) as unknown)
  } catch (e) {
    return Either.left(`${file}: not valid JSON (${(e as Error).message})`)
  }
}

/** Reads and checks a config file (relative paths inside it are relative to the working directory, as in the original). */
export const readConfigFile = (file: string, keys: ReadonlySet<string>): Either.Either<ConfigFile, string> => {
  const absolute = path.resolve(file)
  return parseFile(absolute).pipe(
    Either.flatMap((json) => flatten(json, keys)),
    Either.map((values) => ({ path: absolute, values })),
    Either.mapLeft((m) => (m.startsWith(absolute) ? m : `${absolute}: ${m}`))
  )
}

/** Why a parsed `config.json` is not a gochat server configuration, or undefined when it is one. */
const notServerConfig = (json: unknown): string | undefined => {
  if (!isObject(json)) return "it is not a JSON object"
  if ("shell_server" in json || "ui_config" in json || (isObject(json.database) && "path" in json.database && !("server" in json))) {
    return "it is a gochat client configuration"
  }
  if (!("server" in json) && !("database" in json)) return "it has no \"server\" or \"database\" key, so it is not a gochat configuration"
  return undefined
}

/**
 * `config.json` in `dir`, used when no config file is given, as the original does: absent, nothing; a gochat
 * server configuration, read like any config file; anything else, skipped with a one-line note saying why.
 */
export interface Discovered {
  readonly file: ConfigFile | undefined
  readonly notes: ReadonlyArray<string>
}

export const discoverConfigFile = (dir: string, keys: ReadonlySet<string>): Either.Either<Discovered, string> => {
  const file = path.join(dir, "config.json")
  if (!fs.existsSync(file)) return Either.right({ file: undefined, notes: [] })
  return parseFile(file).pipe(
    Either.mapLeft((m) => `${m}; fix it, or give another file with --config`),
    Either.flatMap((json): Either.Either<Discovered, string> => {
      const why = notServerConfig(json)
      if (why !== undefined) return Either.right({ file: undefined, notes: [`${file} skipped: ${why}`] })
      return readConfigFile(file, keys).pipe(Either.map((f) => ({ file: f, notes: [] })))
    })
  )
}
