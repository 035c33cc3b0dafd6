/** How the shell prints results and events: the original shell's prefixes, one idea per line. */
import { permissionName } from "@gochat/protocol"
import type { ClientEvent } from "../core/Client.js"

const pad = (n: number) => String(n).padStart(2, "0")

/** Local time as `YYYY-MM-DD HH:MM:SS`. */
export const formatStamp = (d: Date) =>
  `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`

export const ok = (text: string) => `[OK] ${text}`
export const info = (text: string) => `[INFO] ${text}`
export const warn = (text: string) => `[WARN] ${text}`
export const failure = (command: string, message: string) => `[ERROR] ${command.toUpperCase()}: ${message}`

export const levelName = (level: number | undefined) =>
  level === undefined ? "unknown" : `${level} (${permissionName(level).toLowerCase()})`

/** The text for an event, or undefined for events the shell does not show. */
export const formatEvent = (e: ClientEvent): string | undefined => {
  switch (e._tag) {
    case "MessageReceived":
      return e.broadcast
        ? `[BROADCAST] [${formatStamp(e.stamp)}] ${e.from}: ${e.text}`
        : `[${formatStamp(e.stamp)}] ${e.from}: ${e.text}`
    case "Hook":
      switch (e.event.hook) {
        case "NEWLOGIN":
          return `[HOOK] ${e.event.username} logged in (permission level ${levelName(e.event.permission)})`
        case "NEWLOGOUT":
          return `[HOOK] ${e.event.username} logged out`
        case "DUPSESS":
          return `[HOOK] someone tried to log in to your account from ${e.event.ip}`
        case "PERMSCHG":
          return `[HOOK] permission level of ${e.event.username} changed to ${levelName(e.event.permission)}`
      }
      return undefined
    case "ShutdownScheduled": {
      const seconds = Math.max(0, Math.round((e.at.getTime() - Date.now()) / 1000))
      return `[SHTDWN] the server will shut down in ${seconds} seconds (at ${formatStamp(e.at)})`
    }
    case "Disconnected":
      return e.byUser ? undefined : `[INFO] disconnected from ${e.server?.name ?? "the server"}: ${e.reason}`
    case "Notice":
      return e.level === "info" ? info(e.text) : e.level === "warning" ? warn(e.text) : `[ERROR] ${e.text}`
    case "PacketDump":
      return `[PACKET] ${e.direction === "sent" ? "sent" : "received"}:\n${e.text}`
    case "Connected":
      return undefined
    case "KeyChanged":
      // REQ prints the change itself, and MSG fails with the same explanation
      return undefined
  }
}
