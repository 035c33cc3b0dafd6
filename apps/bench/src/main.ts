/**
 * `pnpm bench [-- options]`: the gochat load generator. See `pnpm bench -- --help`.
 */
import * as path from "node:path"
import { parseArgs } from "./args.js"
import { runBench, writeResults } from "./bench.js"
import { renderTable } from "./report.js"

const main = async () => {
  const { options, out, json } = parseArgs(process.argv.slice(2))
  const results = await runBench({ ...options, log: (l) => console.error(`[bench] ${l}`) })
  const file = writeResults(results, out)
  if (json) console.log(JSON.stringify(results, null, 2))
  else console.log(renderTable(results))
  console.error(`[bench] results written to ${path.relative(process.cwd(), file)}`)
}

main().catch((e) => {
  console.error(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
  process.exit(1)
})
