/**
 * The gochat client core: connection, local store, session and commands, with no UI code.
 * See README.md in this folder for the API front ends use.
 */
import { Layer } from "effect"
import type { StoreFailure } from "./errors.js"
import { Client } from "./Client.js"
import { ClientConfig, type ResolvedConfig } from "./Config.js"
import { Connection } from "./Connection.js"
import { Store } from "./Store.js"

export * from "./Client.js"
export * from "./Config.js"
export * from "./Connection.js"
export * from "./errors.js"
export * from "./Store.js"
export * as commands from "./commands/index.js"

/** Services a front end runs commands with. */
export type ClientServices = Client | Connection | Store | ClientConfig

/**
 * Everything a front end needs, for one configuration: the store on the configured database
 * file, one connection, the session on top. Build it once per process (or per server with
 * `Layer.fresh` if a UI wants several simultaneous connections sharing a store).
 */
export const clientLayer = (config: ResolvedConfig): Layer.Layer<ClientServices, StoreFailure> => {
  const store = Store.layerFile(config.databasePath)
  const connection = Connection.Default
  return Client.Default.pipe(Layer.provideMerge(connection), Layer.provideMerge(store), Layer.provideMerge(ClientConfig.layer(config)))
}
