/**
 * What the running program was built from. scripts/build.mjs and scripts/release.mjs replace
 * `__GOCHAT_COMMIT__` with the git commit (esbuild `define`); run from the TypeScript sources (tsx, the
 * tests) it is not defined and the commit reads "source".
 */
declare const __GOCHAT_COMMIT__: string | undefined

export const BUILD_COMMIT: string = typeof __GOCHAT_COMMIT__ === "string" ? __GOCHAT_COMMIT__ : "source"

/** What `--version` prints: the program's version and the commit it was built from. */
export const versionWithCommit = (version: string): string => `${version} (commit ${BUILD_COMMIT})`
