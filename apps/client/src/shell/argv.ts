/**
 * The global options (`--config <file>`, `--verbose`) belong before the command for the
 * command-line parser, but users write them anywhere (`gochat-client usrs online --config x.json`).
 * Left in place, a command with free words (USRS, MSG) would swallow them as arguments, so
 * they are moved to the front. `--` ends the options: what follows is never moved.
 */
export const hoistGlobalOptions = (args: ReadonlyArray<string>): Array<string> => {
  const globals: Array<string> = []
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (a === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (a === "--verbose" || a.startsWith("--config=")) globals.push(a)
    else if (a === "--config" && i + 1 < args.length) globals.push(a, args[++i])
    else rest.push(a)
  }
  return [...globals, ...rest]
}
