/**
 * @gochat/server: the gochat v1 server. `startServer` runs one in-process (tests, benches, other apps'
 * end-to-end tests); `serverLayer` is the same server as a Layer for Effect programs.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Context, Effect, Either, Exit, Layer, Scope } from "effect"
import { type ConfigFile, readConfigFile, resolveConfig, type ConfigOverrides, type ServerSettings } from "./config/ServerConfig.js"
import { Shutdown } from "./hubs/Shutdown.js"
import { loggingLayer } from "./Logging.js"
import { serverLayer } from "./Server.js"
import { Listeners } from "./server/Listeners.js"

export { serverLayer, storageLayer } from "./Server.js"
export { Listeners } from "./server/Listeners.js"
export { Shutdown } from "./hubs/Shutdown.js"
export {
  loadConfig,
  resolveConfig,
  ServerConfig,
  type ConfigOverrides,
  type ServerSettings,
  type Timeouts
} from "./config/ServerConfig.js"
export { loggingLayer } from "./Logging.js"

export interface StartServerOptions extends ConfigOverrides {
  /** a server.json to start from (flags below override it) */
  readonly config?: string | undefined
  /** TLS listener: cert and key PEM files; port 0 picks a free one */
  readonly tls?: { readonly port?: number; readonly certFile: string; readonly keyFile: string } | undefined
}

export interface RunningServer {
  /** the plain TCP port actually bound */
  readonly port: number
  /** the TLS port actually bound, if TLS is enabled */
  readonly tlsPort: number | undefined
  readonly settings: ServerSettings
  /** the process serving (this one) */
  readonly pid: number
  /** graceful stop (idempotent) */
  readonly close: () => Promise<void>
  /** resolves once the server stopped (close() or a scheduled ADMIN_SHTDWN) */
  readonly stopped: Promise<void>
}

/**
 * Starts a server in this process. Defaults for embedding: address 127.0.0.1, port 0 (any free port),
 * logs off, and a fresh SQLite database in a temporary directory unless `db` is given.
 */
export const startServer = async (options: StartServerOptions = {}): Promise<RunningServer> => {
  const file: ConfigFile | undefined = options.config === undefined
    ? undefined
    : Either.getOrThrowWith(readConfigFile(options.config), (m) => new Error(m))
  const fileHasDatabase = file !== undefined && [...file.values.keys()].some((k) => k.startsWith("database."))
  // The temporary directory of a database made here belongs to this server: removed once it stopped.
  const ownDir = options.db === undefined && !fileHasDatabase ? fs.mkdtempSync(path.join(os.tmpdir(), "gochat-server-")) : undefined
  const removeOwnDir = () => {
    if (ownDir !== undefined) fs.rmSync(ownDir, { recursive: true, force: true })
  }
  const db = options.db ?? (ownDir !== undefined ? `sqlite:${path.join(ownDir, "gochat.db")}` : undefined)
  const { config: _config, tls: _tls, ...typed } = options
  const overrides: ConfigOverrides = {
    ...typed,
    db,
    port: options.port ?? 0,
    address: options.address ?? "127.0.0.1",
    logLevel: options.logLevel ?? "NONE",
    tlsPort: options.tls ? (options.tls.port ?? 0) : options.tlsPort,
    tlsCert: options.tls?.certFile ?? options.tlsCert,
    tlsKey: options.tls?.keyFile ?? options.tlsKey
  }
  const settings = Either.getOrThrowWith(resolveConfig({ overrides, file }), (m) => {
    removeOwnDir()
    return new Error(m)
  })

  const scope = Effect.runSync(Scope.make())
  const layer = serverLayer(settings).pipe(Layer.provide(loggingLayer(settings)))
  const context = await Effect.runPromise(
    Layer.buildWithScope(layer, scope).pipe(
      Effect.mapError((e) => new Error("message" in e ? String(e.message) : String(e))),
      Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
    )
  ).catch((e: unknown) => {
    removeOwnDir()
    throw e
  })
  const listeners = Context.get(context, Listeners)
  const shutdown = Context.get(context, Shutdown)

  let closing: Promise<void> | undefined
  const close = () => (closing ??= Effect.runPromise(Scope.close(scope, Exit.void)).finally(removeOwnDir))
  const stopped = Effect.runPromise(shutdown.stopped).then(close)

  return { port: listeners.port, tlsPort: listeners.tlsPort, settings, pid: process.pid, close, stopped }
}
