// Types of scripts/build.mjs for the TypeScript code that imports it (the test setup, the bench).
export declare const APPS: Record<"server" | "client", { readonly external: ReadonlyArray<string> }>
export declare const bundlePath: (app: "server" | "client") => string
export declare const build: (app: "server" | "client") => Promise<string>
export declare const ensureBuilt: (app: "server" | "client") => Promise<string>
export declare const gitCommit: () => string
export declare const withEsbuild: <A>(app: "server" | "client", fn: (esbuild: unknown) => Promise<A>) => Promise<A>
