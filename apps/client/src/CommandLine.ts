/**
 * What the client's command line does before @effect/cli parses it, and how it reports: the original's
 * spellings (`-shell`, `-config FILE`, `-verbose`, `-help`), `config.json` in the working directory when no
 * configuration is given (as the original reads it), plain-text help (one line per option and command, no
 * colour codes) and a parse error as one line.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { stripVTControlCharacters } from "node:util"
import { HelpDoc, type ValidationError } from "@effect/cli"
import { fromOriginalFlags } from "@gochat/protocol"
import { helpEntries, helpText as shellHelpText } from "./shell/help.js"

export const NAME = "gochat-client"

/** Go's flag package takes `-shell`, `-verbose`, `-config FILE`, `-config=FILE` and `-help`: rewritten into ours. */
export const fromOriginalSpellings = (args: ReadonlyArray<string>): Array<string> =>
  fromOriginalFlags(args, {
    shell: { to: "--shell" },
    verbose: { to: "--verbose" },
    config: { to: "--config", value: true },
    help: { to: "--help" },
    h: { to: "--help" }
  })

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Why a parsed config.json is not a gochat client configuration, or undefined when it is one. */
const notClientConfig = (json: unknown): string | undefined => {
  if (!isObject(json)) return "it is not a JSON object"
  if ("server" in json || (isObject(json.database) && ("address" in json.database || "db_name" in json.database))) {
    return "it is a gochat server configuration"
  }
  if (!("shell_server" in json) && !("database" in json) && !("ui_config" in json)) {
    return 'it has none of the keys "shell_server", "database", "ui_config", so it is not a gochat configuration'
  }
  return undefined
}

export interface Discovery {
  /** The arguments, with `--config <file>` added when the working directory's config.json is used. */
  readonly args: Array<string>
  /** The one line to print (on stderr): which file is used, or why it was skipped. */
  readonly note: string | undefined
}

/**
 * With no `--config` and no GOCHAT_HOME, a `config.json` in `dir` that is a gochat client configuration is
 * used, as the original does; one that is not (a server's, a package's) is skipped with a note saying why.
 */
export const discoverConfig = (args: ReadonlyArray<string>, dir: string, env: NodeJS.ProcessEnv): Discovery => {
  const options = args.includes("--") ? args.slice(0, args.indexOf("--")) : args
  const given = options.some((a) => a === "--config" || a.startsWith("--config="))
  const file = path.join(dir, "config.json")
  if (given || (env.GOCHAT_HOME !== undefined && env.GOCHAT_HOME !== "") || !fs.existsSync(file)) return { args: [...args], note: undefined }
  let why: string | undefined
  try {
    why = notClientConfig(JSON.parse(fs.readFileSync(file, "utf8")))
  } catch (e) {
    why = `it is not valid JSON (${(e as Error).message})`
  }
  return why === undefined
    ? { args: ["--config", file, ...args], note: `${NAME}: config ${file} (config.json in the working directory)` }
    : { args: [...args], note: `${NAME}: ${file} skipped: ${why}` }
}

// ---------------------------------------------------------------------------------------------
// Help

const table = (rows: ReadonlyArray<readonly [string, string]>): Array<string> => {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}

const REMOTE_OPTIONS: ReadonlyArray<readonly [string, string]> = [
  ["--server <name>", "connect to this stored server first [default: none; no variable]"],
  ["--user <name>", "log in as this local account first [default: none; no variable]"],
  ["--password-file <file>", "read the password from the first line of this file instead of asking [default: ask]"],
  ["--insecure", "do not verify the server's TLS certificate [default: verify]"]
]

const oneShot = helpEntries.filter((e) => e.name !== "help" && e.name !== "exit")

/** `--help`: the root's, or one command's. */
export const helpText = (version: string, command?: string): string => {
  const entry = command === undefined ? undefined : oneShot.find((e) => e.name === command.toLowerCase())
  if (entry !== undefined) {
    return [
      `usage: ${NAME} ${entry.name} ${shellHelpText(entry.name)!.split("\n")[0].replace(/^usage: \S+ ?/, "")}`.trimEnd(),
      "",
      entry.summary,
      "",
      "options of commands that need a connection or a login:",
      ...table(REMOTE_OPTIONS)
    ].join("\n")
  }
  return [
    `${NAME} ${version}: the gochat v1 client`,
    "",
    `usage: ${NAME} [options]                      the TUI`,
    `       ${NAME} --shell [options]              the shell (commands from stdin when it is not a terminal)`,
    `       ${NAME} <command> [arguments] [options]  one command, then exit`,
    "",
    "options:",
    ...table([
      ["--shell", "open the interactive shell instead of the TUI [default: TUI]"],
      ["--config <file>", "configuration file [default ./config.json if it is a gochat client configuration, else $GOCHAT_HOME/config.json, else ~/.gochat/config.json]"],
      ["--verbose", "show packet dumps (the TUI's Debug buffer needs it too) [default: off]"],
      ["--version", "print the version"],
      ...REMOTE_OPTIONS
    ]),
    "",
    "environment: GOCHAT_HOME  the folder of config.json, the database and import/, export/ [default ~/.gochat]",
    "",
    `commands (${NAME} <command> --help for one):`,
    ...table(oneShot.map((e) => [e.name, e.summary])),
    "",
    "The original's spellings work too: -shell, -config <file>, -verbose, -help."
  ].join("\n")
}

/** A parse error of @effect/cli as one plain line. */
export const validationLine = (e: ValidationError.ValidationError, args: ReadonlyArray<string>, command?: string): string => {
  if (e._tag === "CommandMismatch") {
    const first = args.find((a) => !a.startsWith("-"))
    return first === undefined
      ? `unknown option ${args.find((a) => a.startsWith("-")) ?? ""}; ${NAME} --help lists the options`
      : `unknown command ${JSON.stringify(first)}; ${NAME} --help lists the commands`
  }
  const text = stripVTControlCharacters(HelpDoc.toAnsiText(e.error)).split("\n").map((l) => l.trim()).filter(Boolean).join(" ")
  const known = command !== undefined && oneShot.some((c) => c.name === command.toLowerCase())
  return known ? `${command}: ${text}; ${NAME} ${command} --help shows its usage` : `${text}; ${NAME} --help lists the commands and options`
}
