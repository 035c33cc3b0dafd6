/**
 * Split a shell line into words: whitespace separates, "double" and 'single' quotes group,
 * a backslash escapes the next character outside single quotes.
 */
export type Tokens = { readonly ok: true; readonly words: ReadonlyArray<string> } | { readonly ok: false; readonly error: string }

export const tokenize = (line: string): Tokens => {
  const words: Array<string> = []
  let current = ""
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (quote !== undefined) {
      if (c === quote) quote = undefined
      else if (c === "\\" && quote === '"' && i + 1 < line.length) current += line[++i]
      else current += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
    } else if (c === "\\" && i + 1 < line.length) {
      current += line[++i]
      inWord = true
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current)
      current = ""
      inWord = false
    } else {
      current += c
      inWord = true
    }
  }
  if (quote !== undefined) return { ok: false, error: `unterminated ${quote === '"' ? "double" : "single"} quote` }
  if (inWord) words.push(current)
  return { ok: true, words }
}
