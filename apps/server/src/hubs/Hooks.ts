/**
 * HOOK notifications (Null ID, Info = hook type) to the connections subscribed to each hook.
 * Delivery only queues frames on the subscribers' bounded outbound queues, so it never blocks the action
 * that triggered it; a subscriber that stops reading is disconnected by its own write deadline.
 */
import { HookType } from "@gochat/protocol"
import { Effect } from "effect"
import { ascii, hookFrame } from "../server/frames.js"
import { type Endpoint, Presence } from "./Presence.js"

export class Hooks extends Effect.Service<Hooks>()("server/Hooks", {
  effect: Effect.gen(function*() {
    const presence = yield* Presence
    return {
      newLogin(name: string, permission: number): void {
        presence.publish(HookType.NEWLOGIN, hookFrame(HookType.NEWLOGIN, [ascii(name), Uint8Array.of(permission)]))
      },
      newLogout(name: string): void {
        presence.publish(HookType.NEWLOGOUT, hookFrame(HookType.NEWLOGOUT, [ascii(name)]))
      },
      /** Tells the session holding a name that someone tried to log in with it (only if it subscribed). */
      dupSess(holder: Endpoint, ip: string): void {
        if (holder.hooks.has(HookType.DUPSESS)) holder.send(hookFrame(HookType.DUPSESS, [ascii(ip)]))
      },
      permsChg(name: string, permission: number): void {
        presence.publish(HookType.PERMSCHG, hookFrame(HookType.PERMSCHG, [ascii(name), Uint8Array.of(permission)]))
      }
    }
  }),
  dependencies: [Presence.Default]
}) {}
