/**
 * Parsing, usage, help and Tab completion of slash commands, driven by their descriptions.
 */
import type { ArgSpec, CommandArgs, SlashCommand } from "./types.js"

export type Parsed =
  | { readonly _tag: "NotCommand" }
  | { readonly _tag: "Empty" }
  | { readonly _tag: "Unknown"; readonly name: string }
  | { readonly _tag: "Invalid"; readonly command: SlashCommand; readonly message: string }
  | { readonly _tag: "Ok"; readonly command: SlashCommand; readonly args: CommandArgs }

const argUsage = (arg: ArgSpec): string => {
  const label = Array.isArray(arg.complete) && arg.name === "" ? arg.complete.join("|") : arg.name
  const inner = arg.rest ? `${label}...` : label
  return arg.optional ? `[${inner}]` : `<${inner}>`
}

export const usage = (command: SlashCommand): string =>
  [`/${command.name}`, ...command.args.map(argUsage), ...(command.flags ?? []).map((f) => `[${f}]`)].join(" ")

export const findCommand = (commands: ReadonlyArray<SlashCommand>, name: string): SlashCommand | undefined =>
  commands.find((c) => c.name === name.toLowerCase())

/** Splits on runs of spaces, remembering where each word starts (for rest-of-line arguments). */
const words = (text: string): ReadonlyArray<{ readonly word: string; readonly at: number }> => {
  const out: Array<{ word: string; at: number }> = []
  const re = /\S+/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) out.push({ word: m[0], at: m.index })
  return out
}

export const parse = (line: string, commands: ReadonlyArray<SlashCommand>): Parsed => {
  if (!line.startsWith("/")) return { _tag: "NotCommand" }
  const all = words(line.slice(1))
  if (all.length === 0 || all[0].at !== 0) return { _tag: "Empty" }
  const command = findCommand(commands, all[0].word)
  if (command === undefined) return { _tag: "Unknown", name: all[0].word }
  const known = new Set(command.flags ?? [])
  const flags = new Set<string>()
  const positional: Array<string> = []
  const rest = command.args.findIndex((a) => a.rest)
  for (const w of all.slice(1)) {
    if (rest >= 0 && positional.length === rest) {
      positional.push(line.slice(1 + w.at).trimEnd())
      break
    }
    if (known.has(w.word.toLowerCase())) flags.add(w.word.toLowerCase())
    else positional.push(w.word)
  }
  const required = command.args.filter((a) => !a.optional).length
  if (positional.length < required || positional.length > command.args.length)
    return { _tag: "Invalid", command, message: `invalid number of arguments: ${usage(command)}` }
  return { _tag: "Ok", command, args: { positional, flags } }
}

/** Text of `/help` (all commands) or `/help <command>`. */
export const helpText = (commands: ReadonlyArray<SlashCommand>, name?: string): string => {
  if (name !== undefined) {
    const command = findCommand(commands, name.replace(/^\//, ""))
    if (command === undefined) return `no command called ${name}`
    return `${usage(command)}\n${command.help}`
  }
  const width = Math.max(...commands.map((c) => usage(c).length))
  return [
    "Available commands (/help <command> for details, Ctrl-L or F1 for the keys):",
    ...commands.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`)
  ].join("\n")
}

export interface CompletionSources {
  readonly usernames: ReadonlyArray<string>
}

export interface CompletionResult {
  /** The line after completion (unchanged when nothing or several things matched without a longer common prefix). */
  readonly line: string
  /** Every candidate, for display when more than one matched. */
  readonly candidates: ReadonlyArray<string>
}

const commonPrefix = (items: ReadonlyArray<string>): string =>
  items.reduce((prefix, item) => {
    let i = 0
    while (i < prefix.length && i < item.length && prefix[i].toLowerCase() === item[i].toLowerCase()) i++
    return prefix.slice(0, i)
  }, items[0] ?? "")

const completeWord = (line: string, word: string, pool: ReadonlyArray<string>, suffix: string): CompletionResult => {
  const lower = word.toLowerCase()
  const candidates = [...new Set(pool.filter((p) => p.toLowerCase().startsWith(lower)))].sort()
  if (candidates.length === 0) return { line, candidates }
  const head = line.slice(0, line.length - word.length)
  if (candidates.length === 1) return { line: head + candidates[0] + suffix, candidates }
  const prefix = commonPrefix(candidates)
  return { line: prefix.length > word.length ? head + prefix : line, candidates }
}

/** Completes the last word of `line`: command names after `/`, then each argument's values. */
export const complete = (line: string, commands: ReadonlyArray<SlashCommand>, sources: CompletionSources): CompletionResult => {
  const endsWithSpace = /\s$/.test(line)
  const all = words(line)
  const word = endsWithSpace || all.length === 0 ? "" : all[all.length - 1].word
  if (!line.startsWith("/")) return completeWord(line, word, sources.usernames, " ")
  if (all.length === 1 && !endsWithSpace) {
    return completeWord(line, word, commands.map((c) => `/${c.name}`), " ")
  }
  const command = findCommand(commands, all[0].word.slice(1))
  if (command === undefined) return { line, candidates: [] }
  const flags = new Set(command.flags ?? [])
  const before = all.slice(1, endsWithSpace ? undefined : -1).filter((w) => !flags.has(w.word.toLowerCase()))
  if (word.startsWith("-") && flags.size > 0) return completeWord(line, word, [...flags], " ")
  const spec = command.args[Math.min(before.length, command.args.length - 1)]
  if (spec === undefined || (before.length >= command.args.length && !spec.rest)) return { line, candidates: [] }
  const pool =
    spec.complete === "username"
      ? sources.usernames
      : spec.complete === "command"
        ? commands.map((c) => c.name)
        : (spec.complete ?? [])
  return completeWord(line, word, pool, " ")
}
