/**
 * `pnpm bench [-- options]`: the gochat load generator. See `pnpm bench -- --help`.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { parseArgs } from "./args.js"
import { RESULTS_DIR, runBench, writeResults } from "./bench.js"
import { renderCompare, runCompare } from "./compare.js"
import { renderTable } from "./report.js"

const main = async () => {
  const { options, out, json, compare } = parseArgs(process.argv.slice(2))
  if (compare !== undefined) {
    const r = await runCompare({ ...options, log: (l) => console.error(`[bench] ${l}`) }, compare)
    const file = out ?? path.join(RESULTS_DIR, `compare-${r.startedAt.replace(/[:.]/g, "-")}.json`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify(r, null, 2) + "\n")
    console.log(json ? JSON.stringify(r, null, 2) : renderCompare(r))
    console.error(`[bench] results written to ${path.relative(process.cwd(), file)}`)
    return
  }
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
