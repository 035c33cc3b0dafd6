// Types of scripts/test.mjs for the TypeScript code that imports it (the test setup).
export declare const TOOLS: ReadonlyArray<{ readonly bin: string; readonly pkg: string; readonly usedBy: string }>
export declare const which: (bin: string) => string | undefined
export declare const ensureTools: (bins?: ReadonlyArray<string>) => void
