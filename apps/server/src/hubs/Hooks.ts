/**
 * HOOK notifications as typed events, and the frame each one becomes (Null ID, Info = hook type).
 *
 * `Presence.publish` carries an event to every instance of the service; each instance hands it to
 * `LocalEndpoints.hook`, which queues the frame on its subscribed connections' bounded outbound queues (so
 * publishing never blocks the action that triggered it; a subscriber that stops reading is disconnected by
 * its own write deadline). DUPSESS goes only to the connection holding the name, wherever it is.
 */
import { HookType } from "@gochat/protocol"
import { ascii, hookFrame } from "../server/frames.js"

export type HookEvent =
  | { readonly _tag: "NewLogin"; readonly name: string; readonly permission: number }
  | { readonly _tag: "NewLogout"; readonly name: string }
  | { readonly _tag: "DupSess"; readonly name: string; readonly ip: string }
  | { readonly _tag: "PermsChg"; readonly name: string; readonly permission: number }

/** The hook type a connection subscribes to for this event. */
export const hookTypeOf = (event: HookEvent): HookType => {
  switch (event._tag) {
    case "NewLogin":
      return HookType.NEWLOGIN
    case "NewLogout":
      return HookType.NEWLOGOUT
    case "DupSess":
      return HookType.DUPSESS
    case "PermsChg":
      return HookType.PERMSCHG
  }
}

/** The HOOK frame of an event, with the original's arguments. */
export const hookFrameOf = (event: HookEvent): Uint8Array => {
  switch (event._tag) {
    case "NewLogin":
    case "PermsChg":
      return hookFrame(hookTypeOf(event), [ascii(event.name), Uint8Array.of(event.permission)])
    case "NewLogout":
      return hookFrame(HookType.NEWLOGOUT, [ascii(event.name)])
    case "DupSess":
      return hookFrame(HookType.DUPSESS, [ascii(event.ip)])
  }
}
