/** @jsxRuntime automatic @jsxImportSource react */
/** The buffers of the current server, with shortcuts and unread counts. */
import { drawable } from "../text.js"
import { Text } from "ink"
import type { Server } from "../state/model.js"
import { visibleBuffers } from "../state/reducer.js"
import { Panel, scrollStart } from "./Panel.js"

export const SHORTCUTS = "123456789abcdefghijklmnopqrstuvwxyz"

export const BufferList = ({ server, focused, width, height }: { server: Server; focused: boolean; width: number; height: number }) => {
  const buffers = visibleBuffers(server)
  const rows = Math.max(0, height - 3)
  const start = scrollStart(buffers.length, buffers.findIndex((b) => b.name === server.current), rows)
  return (
    <Panel title="Buffers" focused={focused} width={width} height={height}>
      {buffers.slice(start, start + rows).map((b, i) => {
        const index = start + i
        const unread = server.unread[b.name] ?? 0
        const current = b.name === server.current
        return (
          <Text key={b.name} wrap="truncate">
            <Text color="yellow">({SHORTCUTS[index] ?? " "}) </Text>
            <Text underline={current} bold={current} color={current ? (b.system ? "#d7afd7" : "magenta") : undefined}>
              {drawable(b.name)}
            </Text>
            {unread > 0 ? <Text color="green"> [{unread}]</Text> : null}
            {b.keyChange ? <Text color="red"> !</Text> : null}
          </Text>
        )
      })}
    </Panel>
  )
}
