/**
 * USRS: list users. Remote: all or online users of the server, optionally with permission
 * levels. Local: accounts of the current server, every local account, or requested contacts.
 */
import { Action, UsrsType } from "@gochat/protocol"
import { Effect } from "effect"
import { Client } from "../Client.js"
import { serverLabel } from "../Store.js"
import { utf8Decode } from "./_shared.js"

export type UsrsKind =
  | { readonly scope: "remote"; readonly which: "all" | "online"; readonly perms?: boolean }
  | { readonly scope: "local-server" }
  | { readonly scope: "local-all" }
  | { readonly scope: "requested" }

export interface UserEntry {
  readonly name: string
  /** Permission level (remote with perms) */
  readonly permission?: number
  /** Extra text: the server of a local account, the fingerprint of a contact. */
  readonly detail?: string
}

export interface UsrsResult {
  readonly title: string
  readonly users: ReadonlyArray<UserEntry>
}

const result = (r: UsrsResult): UsrsResult => r

export const usrs = Effect.fn("commands.usrs")(function*(kind: UsrsKind) {
  const client = yield* Client
  const store = client.store
  switch (kind.scope) {
    case "remote": {
      yield* client.session
      const info = kind.which === "all"
        ? (kind.perms === true ? UsrsType.ALLPERMS : UsrsType.ALL)
        : (kind.perms === true ? UsrsType.ONLINEPERMS : UsrsType.ONLINE)
      const reply = yield* client.connection.request({ action: Action.USRS, info }, { expect: [Action.USRS] })
      const text = reply.args.length > 0 ? utf8Decode(reply.args[0]) : ""
      const users = text.split("\n").filter((l) => l.length > 0).map((line): UserEntry => {
        if (kind.perms !== true) return { name: line }
        const space = line.lastIndexOf(" ")
        const level = Number(line.slice(space + 1))
        return space > 0 && Number.isInteger(level) ? { name: line.slice(0, space), permission: level } : { name: line }
      })
      return result({ title: `${kind.which} users${kind.perms === true ? " with permissions" : ""}`, users })
    }
    case "local-server": {
      const server = yield* client.server
      const users = yield* store.listLocalUsers(server.serverId)
      return result({ title: `local users of ${serverLabel(server)}`, users: users.map((u) => ({ name: u.username })) })
    }
    case "local-all": {
      const users = yield* store.listLocalUsers()
      return result({
        title: "all local users",
        users: users.map((u) => ({ name: u.username, detail: u.serverId === undefined ? `${u.serverLabel}, deleted: see RECOVER` : u.serverLabel }))
      })
    }
    case "requested": {
      const servers = new Map((yield* store.listServers).map((s) => [s.serverId, s]))
      const contacts = yield* store.listContacts()
      return result({
        title: "requested users",
        users: contacts.map((c) => {
          const s = servers.get(c.serverId)
          const where = s === undefined ? "?" : serverLabel(s)
          return {
            name: c.username,
            ...(c.permission !== undefined ? { permission: c.permission } : {}),
            detail: `${where}, key ${c.fingerprint}${c.pendingKey !== undefined ? " (CHANGED: see TRUST)" : ""}`
          }
        })
      })
    }
  }
})
