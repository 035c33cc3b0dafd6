/**
 * Temporary directories for tests: `tempDir(prefix)` makes one under the system's temporary directory
 * and remembers it; `removeTempDirs()` removes every one made so far. The setup file ./cleanup.ts (listed
 * in each test project's `setupFiles`) calls it after each test file's own `afterAll` hooks, once servers
 * and clients using the directories have stopped, so a run leaves nothing behind in /tmp.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const made = new Set<string>()

export const tempDir = (prefix = "gochat-test-"): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  made.add(dir)
  return dir
}

export const removeTempDirs = (): void => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
  made.clear()
}

// A worker that ends without running the hooks (a crash, a timeout) still removes what it made.
process.once("exit", removeTempDirs)
