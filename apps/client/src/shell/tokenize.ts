/**
 * Split a shell line into words: whitespace separates, "double" and 'single' quotes group,
 * a backslash escapes the next character outside single quotes.
 *
 * `splitLine` adds the rule for commands that end with free text (`MSG <user> <text...>`,
 * `ADMIN broadcast <text>`, `ADMIN motd <text>`): the text is the rest of the line as typed,
 * so apostrophes and repeated spaces survive; quotes around the whole text are removed. Options
 * go before the recipient (`msg --server home bob hi`): after it, everything is text.
 */
export type Tokens = { readonly ok: true; readonly words: ReadonlyArray<string> } | { readonly ok: false; readonly error: string }

interface Word {
  readonly word: string
  readonly start: number
  readonly end: number
}

/** The next word at or after `from`, undefined at the end of the line, or an error. */
const nextWord = (line: string, from: number): Word | undefined | { readonly error: string } => {
  let i = from
  while (i < line.length && /\s/.test(line[i])) i++
  if (i >= line.length) return undefined
  const start = i
  let current = ""
  let quote: '"' | "'" | undefined
  for (; i < line.length; i++) {
    const c = line[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === '"' && i + 1 < line.length) current += line[++i]
      else current += c
      continue
    }
    if (c === '"' || c === "'") quote = c
    else if (c === "\\" && i + 1 < line.length) current += line[++i]
    else if (/\s/.test(c)) break
    else current += c
  }
  if (quote !== undefined) return { error: `unterminated ${quote === '"' ? "double" : "single"} quote` }
  return { word: current, start, end: i }
}

export const tokenize = (line: string): Tokens => {
  const words: Array<string> = []
  let at = 0
  while (true) {
    const w = nextWord(line, at)
    if (w === undefined) return { ok: true, words }
    if ("error" in w) return { ok: false, error: w.error }
    words.push(w.word)
    at = w.end
  }
}

/** Options of the text commands that take a value (the others are flags). */
const valueOptions = new Set(["--server", "--user", "--password-file"])

/** How many positional words come before the free text, or undefined if the command has none. */
const wordsBeforeText = (positionals: ReadonlyArray<string>): number | undefined => {
  const name = positionals[0]?.toLowerCase()
  if (name === "msg") return 2
  if (name === "admin" && positionals.length >= 2) {
    const op = positionals[1].toLowerCase()
    if (op === "broadcast" || op === "motd") return 2
  }
  return undefined
}

/** Words of a shell line, with the free text of MSG / ADMIN broadcast / ADMIN motd as one word. */
export const splitLine = (line: string): Tokens => {
  const words: Array<string> = []
  const positionals: Array<string> = []
  let at = 0
  let expectValue = false
  while (true) {
    const before = wordsBeforeText(positionals)
    if (before !== undefined && positionals.length === before && !expectValue) {
      // everything after the recipient (or the operation) is text, even `--server is down`
      const rest = line.slice(at).trim()
      if (rest.length === 0) return { ok: true, words }
      const whole = tokenize(rest)
      const quoted = whole.ok && whole.words.length === 1 && (rest.startsWith('"') || rest.startsWith("'")) &&
        rest.endsWith(rest[0])
      words.push(quoted && whole.ok ? whole.words[0] : rest)
      return { ok: true, words }
    }
    const w = nextWord(line, at)
    if (w === undefined) return { ok: true, words }
    if ("error" in w) return { ok: false, error: w.error }
    words.push(w.word)
    at = w.end
    if (expectValue) expectValue = false
    else if (w.word.startsWith("--") && words.length > 1) expectValue = valueOptions.has(w.word)
    else positionals.push(w.word)
  }
}
