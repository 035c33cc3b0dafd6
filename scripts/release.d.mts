// Types of scripts/release.mjs for the TypeScript code that imports it (the release tests).
export type Target = "linux-x64" | "win-x64"
export declare const releaseDir: string
export declare const executableName: (app: "server" | "client", target: Target) => string
export declare const ensureRelease: (
  targets?: ReadonlyArray<Target>,
  options?: { readonly force?: boolean; readonly apps?: ReadonlyArray<"server" | "client"> }
) => Promise<Record<string, string>>
