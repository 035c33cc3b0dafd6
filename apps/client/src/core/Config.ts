/**
 * Client configuration: `config.json` with the original client's keys, under a data
 * directory ($GOCHAT_HOME, else ~/.gochat). A working default is written (mode 0600) the
 * first time, at the path that was asked for. Paths in the file are relative to the file.
 *
 * ```json
 * { "shell_server": { "address": "", "port": 0, "use_tls": false, "verify_tls": true },
 *   "database": { "path": "client.db" },
 *   "ui_config": { "debug_buffer": false },
 *   "security": { "contact_key_bits": [4096] } }
 * ```
 * `security.contact_key_bits` (optional) lists the RSA modulus sizes a contact's key may have (the
 * exponent must be 65537 whatever it says); like the server's `server.key_bits`, only 4096 by default.
 * `verify_tls` means what it says (the original inverted it). The original example's `tls`
 * key is accepted as a synonym of `use_tls`. Unknown keys are ignored.
 */
import { RSA_BITS } from "@gochat/crypto"
import { Context, Effect, Either, Layer, ParseResult, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FileFailure } from "./errors.js"

/** The modulus sizes a contact's key may have unless `security.contact_key_bits` says otherwise: the protocol's. */
export const DEFAULT_CONTACT_KEY_BITS: ReadonlyArray<number> = [RSA_BITS]
const CONTACT_KEY_BITS_MIN = 2048
const CONTACT_KEY_BITS_MAX = 8192

const ConfigFile = Schema.Struct({
  shell_server: Schema.optionalWith(
    Schema.Struct({
      address: Schema.optionalWith(Schema.String, { default: () => "" }),
      port: Schema.optionalWith(Schema.Int.pipe(Schema.between(0, 65535)), { default: () => 0 }),
      use_tls: Schema.optional(Schema.Boolean),
      tls: Schema.optional(Schema.Boolean),
      verify_tls: Schema.optionalWith(Schema.Boolean, { default: () => true })
    }),
    { default: () => ({ address: "", port: 0, verify_tls: true }) }
  ),
  database: Schema.optionalWith(
    Schema.Struct({
      path: Schema.optionalWith(Schema.NonEmptyString, { default: () => "client.db" }),
      log_path: Schema.optional(Schema.String),
      log_level: Schema.optional(Schema.Number)
    }),
    { default: () => ({ path: "client.db" }) }
  ),
  ui_config: Schema.optionalWith(
    Schema.Struct({ debug_buffer: Schema.optionalWith(Schema.Boolean, { default: () => false }) }),
    { default: () => ({ debug_buffer: false }) }
  ),
  security: Schema.optionalWith(
    Schema.Struct({
      contact_key_bits: Schema.optionalWith(
        Schema.NonEmptyArray(
          Schema.Int.pipe(
            Schema.filter((n) => n >= CONTACT_KEY_BITS_MIN && n <= CONTACT_KEY_BITS_MAX && n % 8 === 0, {
              message: (n) => `RSA modulus sizes are multiples of 8 between ${CONTACT_KEY_BITS_MIN} and ${CONTACT_KEY_BITS_MAX}, got ${String(n.actual)}`
            })
          )
        ),
        { default: () => [...DEFAULT_CONTACT_KEY_BITS] as [number, ...Array<number>] }
      )
    }),
    { default: () => ({ contact_key_bits: [...DEFAULT_CONTACT_KEY_BITS] as [number, ...Array<number>] }) }
  )
})

export const defaultConfigJson = {
  shell_server: { address: "", port: 0, use_tls: false, verify_tls: true },
  database: { path: "client.db" },
  ui_config: { debug_buffer: false }
}

export interface ResolvedConfig {
  readonly configPath: string
  /** Directory holding the config file; import/ and export/ live here. */
  readonly dataDir: string
  readonly databasePath: string
  readonly importDir: string
  readonly exportDir: string
  /** Server the shell connects to at start, when configured. */
  readonly shellServer: { readonly address: string; readonly port: number; readonly tls: boolean; readonly verifyTls: boolean } | undefined
  readonly debugBuffer: boolean
  /** RSA modulus sizes accepted for contacts' keys (`security.contact_key_bits`, default 4096 only). */
  readonly contactKeyBits: ReadonlyArray<number>
}

/** $GOCHAT_HOME, else ~/.gochat. */
export const defaultDataDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.GOCHAT_HOME !== undefined && env.GOCHAT_HOME !== "" ? path.resolve(env.GOCHAT_HOME) : path.join(os.homedir(), ".gochat")

/**
 * Read the configuration at `configPath` (default: `<data dir>/config.json`), writing the
 * default file there first when it does not exist. Creates the import/ and export/ folders.
 */
export const loadConfig = (configPath?: string, env: NodeJS.ProcessEnv = process.env) =>
  Effect.gen(function*() {
    const file = path.resolve(configPath ?? path.join(defaultDataDir(env), "config.json"))
    const dir = path.dirname(file)
    const attempt = <A>(what: string, f: () => A) =>
      Effect.try({ try: f, catch: (e) => new FileFailure({ path: file, reason: `${what}: ${(e as Error).message}` }) })
    const text = yield* attempt("cannot read the configuration", () => {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
      if (!fs.existsSync(file)) {
        fs.writeFileSync(file, JSON.stringify(defaultConfigJson, null, 2) + "\n", { mode: 0o600 })
      }
      return fs.readFileSync(file, "utf8")
    })
    const json = yield* attempt("is not valid JSON (fix it or delete it to get a default one)", () => JSON.parse(text) as unknown)
    const decoded = Schema.decodeUnknownEither(ConfigFile)(json, { onExcessProperty: "ignore" })
    if (Either.isLeft(decoded)) {
      const detail = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
        .map((i) => `${i.path.join(".")}: ${i.message}`)
        .join("; ")
      return yield* new FileFailure({ path: file, reason: `invalid configuration (${detail})` })
    }
    const c = decoded.right
    const importDir = path.join(dir, "import")
    const exportDir = path.join(dir, "export")
    yield* attempt("cannot create the key folders", () => {
      fs.mkdirSync(importDir, { recursive: true, mode: 0o700 })
      fs.mkdirSync(exportDir, { recursive: true, mode: 0o700 })
    })
    const s = c.shell_server
    const resolved: ResolvedConfig = {
      configPath: file,
      dataDir: dir,
      databasePath: c.database.path === ":memory:" ? ":memory:" : path.resolve(dir, c.database.path),
      importDir,
      exportDir,
      shellServer: s.address !== "" && s.port > 0
        ? { address: s.address, port: s.port, tls: s.use_tls ?? s.tls ?? false, verifyTls: s.verify_tls }
        : undefined,
      debugBuffer: c.ui_config.debug_buffer,
      contactKeyBits: c.security.contact_key_bits
    }
    return resolved
  })

/** The resolved configuration, for commands that need file locations. */
export class ClientConfig extends Context.Tag("client/ClientConfig")<ClientConfig, ResolvedConfig>() {
  static readonly layer = (config: ResolvedConfig) => Layer.succeed(ClientConfig, config)
}
