/** @jsxRuntime automatic @jsxImportSource react */
/** Online users of the current server with their permission levels, highest first. */
import { drawable } from "../text.js"
import { Text } from "ink"
import type { Server } from "../state/model.js"
import { Panel } from "./Panel.js"

export const UsersPanel = ({ server, width, height }: { server: Server; width: number; height: number }) => {
  const rows = Math.max(0, height - 3)
  const shown = server.user === null ? [] : server.users
  return (
    <Panel title="Users" width={width} height={height}>
      {shown.length === 0 ? <Text dimColor>(Empty)</Text> : null}
      {shown.slice(0, rows).map((u) => (
        <Text key={u.name} wrap="truncate">
          <Text color="magenta" italic>
            [{u.permission}]
          </Text>{" "}
          <Text bold={u.name === server.user}>{drawable(u.name)}</Text>
        </Text>
      ))}
    </Panel>
  )
}
