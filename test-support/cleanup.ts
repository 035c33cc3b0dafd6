/**
 * Setup file of every test project (`setupFiles` in each vitest.config.ts): removes the file's temporary
 * directories (./tempDir.ts) after all its tests. Hooks run as a stack, so this `afterAll`, registered
 * before the test file's own, runs after them: whatever used the directories has stopped by then.
 */
import { afterAll } from "vitest"
import { removeTempDirs } from "./tempDir.js"

afterAll(removeTempDirs)
