/**
 * The one list of test projects. `vitest.config.ts` reads it (vitest 3.2 prefers
 * `test.projects` over a workspace file), so add a project here and nowhere else.
 */
export default ["libs/protocol", "libs/crypto", "apps/server", "apps/client", "apps/bench", "compose"]
