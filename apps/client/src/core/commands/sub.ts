/** SUB / UNSUB: (un)subscribe to server events (hooks). */
import { Action, HookType } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"
import { UsageError } from "../errors.js"

/** Hook names as users type them (the original client's names and the protocol's). */
export const hookNames: Record<string, number> = {
  all: HookType.ALL,
  new_login: HookType.NEWLOGIN,
  newlogin: HookType.NEWLOGIN,
  new_logout: HookType.NEWLOGOUT,
  newlogout: HookType.NEWLOGOUT,
  duplicated_session: HookType.DUPSESS,
  dupsess: HookType.DUPSESS,
  permissions_change: HookType.PERMSCHG,
  permschg: HookType.PERMSCHG
}

export const HOOK_CHOICES = "all, new_login, new_logout, duplicated_session, permissions_change"

export const parseHook = (name: string) => {
  const hook = hookNames[name.toLowerCase()]
  return hook === undefined
    ? Effect.fail(new UsageError({ reason: `unknown hook "${name}": use one of ${HOOK_CHOICES}` }))
    : Effect.succeed(hook)
}

export const sub = Effect.fn("commands.sub")(function*(input: { readonly hook: string; readonly subscribe: boolean }) {
  const client = yield* Client
  yield* client.session
  const hook = yield* parseHook(input.hook)
  yield* client.connection.request({ action: input.subscribe ? Action.SUB : Action.UNSUB, info: hook })
  return { hook: input.hook.toLowerCase(), subscribed: input.subscribe }
})
