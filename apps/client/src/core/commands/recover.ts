/**
 * RECOVER: for a local account whose server was deleted (DELSERVER), write its private key to
 * export/<username>.priv and its conversations to export/<username>.msgs (both mode 0600);
 * with cleanup, delete the account and its history afterwards.
 */
import { privateKeyToPem } from "@gochat/crypto"
import { Effect } from "effect"
import * as path from "node:path"
import { Client } from "../Client.js"
import { ClientConfig } from "../Config.js"
import { LocalNotFound, WrongCredentials } from "../errors.js"
import { unlock } from "./_account.js"
import { writePrivate } from "./_files.js"
import { checkUsername } from "./_shared.js"

export interface RecoverResult {
  readonly username: string
  readonly keyFile: string
  /** undefined when there were no messages. */
  readonly messagesFile: string | undefined
  readonly deleted: boolean
}

/** What RECOVER checks before it needs the password: accounts of that name whose server is gone. */
export const recoverCheck = (rawUsername: string) =>
  Effect.gen(function*() {
    const client = yield* Client
    const username = yield* checkUsername(rawUsername)
    const candidates = yield* client.store.danglingUsers(username)
    if (candidates.length === 0) {
      return yield* new LocalNotFound({ reason: `no local account ${username} of a deleted server (see USRS local all)` })
    }
    return { username, candidates }
  })

export const recover = Effect.fn("commands.recover")(function*(
  input: { readonly username: string; readonly password: string; readonly cleanup?: boolean }
) {
  const client = yield* Client
  const config = yield* ClientConfig
  const { candidates, username } = yield* recoverCheck(input.username)
  for (const account of candidates) {
    const key = yield* unlock(account, input.password).pipe(
      Effect.catchTag("WrongCredentials", () => Effect.succeed(undefined))
    )
    if (key === undefined) continue
    const keyFile = path.join(config.exportDir, `${username}.priv`)
    yield* writePrivate(keyFile, privateKeyToPem(key))
    const messages = yield* client.store.allMessages(account.localId)
    let messagesFile: string | undefined
    if (messages.length > 0) {
      const lines: Array<string> = []
      let peer: string | undefined
      for (const m of messages) {
        if (m.peer !== peer) {
          if (peer !== undefined) lines.push("--- CONVERSATION FINISH ---")
          lines.push("--- CONVERSATION BEGINS ---")
          peer = m.peer
        }
        const [src, dst] = m.direction === "in" ? [m.peer, username] : [username, m.peer]
        lines.push(`${m.stamp.toISOString()} | [${src}] -> [${dst}]: ${m.text}`)
      }
      lines.push("--- CONVERSATION FINISH ---")
      messagesFile = path.join(config.exportDir, `${username}.msgs`)
      yield* writePrivate(messagesFile, lines.join("\n") + "\n")
    }
    if (input.cleanup === true) yield* client.store.deleteLocalUser(account.localId)
    return { username, keyFile, messagesFile, deleted: input.cleanup === true } satisfies RecoverResult
  }
  return yield* new WrongCredentials({ username })
})
