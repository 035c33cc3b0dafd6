/** @jsxRuntime automatic @jsxImportSource react */
/** ` bob: 2 | carol: 1`: unread messages per sender on the current server; nothing when none. */
import { drawable } from "../text.js"
import { Text } from "ink"
import type { Server } from "../state/model.js"

export const NotificationBar = ({ server }: { server: Server }) => {
  const entries = Object.entries(server.unread).filter(([, n]) => n > 0)
  if (entries.length === 0) return null
  return (
    <Text wrap="truncate">
      {entries.map(([name, n], i) => (
        <Text key={name}>
          {i === 0 ? " " : " | "}
          <Text color="blue" bold>
            {drawable(name)}
          </Text>
          : <Text color="green">{n}</Text>
        </Text>
      ))}
    </Text>
  )
}
