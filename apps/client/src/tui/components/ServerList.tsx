/** @jsxRuntime automatic @jsxImportSource react */
/** Every shown server: green when connected, with the unread total; the current one's address below. */
import { drawable } from "../text.js"
import { Text } from "ink"
import type { AppState } from "../state/model.js"
import { currentServer, totalUnread, visibleServers } from "../state/reducer.js"
import { Panel, scrollStart } from "./Panel.js"

export const ServerList = ({ state, focused, width, height }: { state: AppState; focused: boolean; width: number; height: number }) => {
  const servers = visibleServers(state)
  const current = currentServer(state)
  const rows = Math.max(0, height - 4)
  const start = scrollStart(servers.length, servers.findIndex((s) => s.name === current.name), rows)
  return (
    <Panel title="Servers" focused={focused} width={width} height={height}>
      {servers.slice(start, start + rows).map((s, i) => {
        const unread = totalUnread(s)
        const isCurrent = s.name === current.name
        return (
          <Text key={s.name} wrap="truncate">
            <Text color="yellow">({start + i + 1}) </Text>
            <Text underline={isCurrent} bold={isCurrent} color={s.connected ? "green" : isCurrent ? "magenta" : undefined}>
              {drawable(s.name)}
            </Text>
            {unread > 0 ? <Text color="green"> [{unread}]</Text> : null}
          </Text>
        )
      })}
      <Text dimColor wrap="truncate">
        {current.local ? "System Server" : `${current.address}:${current.port}${current.tls ? " (TLS)" : ""}`}
      </Text>
    </Panel>
  )
}
