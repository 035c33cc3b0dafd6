/**
 * The message of the day sent in HELLO: the configured default until an OWNER sets one with ADMIN_MOTD,
 * which is persisted and survives restarts. In a cluster the instance that stores it tells the others
 * (`ServiceCommands` calls `use`).
 */
import { MAX_ARG_CONTENT } from "@gochat/protocol"
import { Effect, Option } from "effect"
import { ServerConfig } from "../config/ServerConfig.js"
import { SettingsRepo } from "../storage/SettingsRepo.js"

const MOTD_KEY = "motd"

export class Motd extends Effect.Service<Motd>()("server/Motd", {
  effect: Effect.gen(function*() {
    const config = yield* ServerConfig
    const settings = yield* SettingsRepo
    // a stored MOTD edited by hand into something HELLO cannot carry is ignored
    const fits = (text: string) => Buffer.byteLength(text, "utf8") <= MAX_ARG_CONTENT && !text.includes("\r\n")
    let current = Option.getOrElse(
      Option.filter(yield* settings.get(MOTD_KEY), fits),
      () => config.defaultMotd
    )

    return {
      /** The MOTD for the next HELLO. */
      current: (): string => current,
      /** Persists a new MOTD, then uses it for every later HELLO. */
      set: Effect.fn("Motd.set")(function*(text: string) {
        yield* settings.set(MOTD_KEY, text)
        current = text
      }),
      /** Uses a MOTD another instance stored. */
      use: (text: string): void => {
        current = text
      }
    }
  })
}) {}
