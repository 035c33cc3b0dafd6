/**
 * What both programs' command lines share with the original's: Go's flag package spells options with one
 * dash (`-config FILE`, `-config=FILE`, `-shell`, `-shell=true`), and a failure is reported as one line.
 */

export interface OriginalFlag {
  /** Our spelling, e.g. `--config`. */
  readonly to: string
  /** Takes a value (`-config FILE`); otherwise a boolean (`-shell`, `-shell=true`, `-shell=false`). */
  readonly value?: boolean
}

/**
 * Rewrites the original's exact spellings of `flags` (names without the dash) into ours; every other
 * argument, and everything after `--`, is left as it is.
 */
export const fromOriginalFlags = (
  args: ReadonlyArray<string>,
  flags: Readonly<Record<string, OriginalFlag>>
): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === "--") {
      out.push(...args.slice(i))
      break
    }
    const match = /^-([a-z]+)(?:=(.*))?$/.exec(a)
    const flag = match === null ? undefined : flags[match[1]]
    if (match === null || flag === undefined) out.push(a)
    else if (flag.value === true) out.push(match[2] === undefined ? flag.to : `${flag.to}=${match[2]}`)
    else if (match[2] === undefined || match[2] === "true") out.push(flag.to)
    else if (match[2] !== "false") out.push(a)
  }
  return out
}

/** A failure as one line: its message's first line, never `[object Object]` or a stack trace. */
export const describeFailure = (e: unknown): string => {
  const message = (e as { message?: unknown } | undefined)?.message
  if (typeof message === "string" && message !== "") return message.split("\n")[0]
  const tag = (e as { _tag?: unknown } | undefined)?._tag
  if (typeof tag === "string") return `${tag} (unexpected failure)`
  if (typeof e !== "object" || e === null) return String(e)
  try {
    return `unexpected failure ${JSON.stringify(e)}`.split("\n")[0]
  } catch {
    return "unexpected failure"
  }
}
