/** @jsxRuntime automatic @jsxImportSource react */
/** The current buffer's messages, scrolled, with the key-change banner above them. */
import { Box, Text } from "ink"
import type { Buffer, Server } from "../state/model.js"
import { messageLines, visibleLines } from "./lines.js"
import { Panel } from "./Panel.js"
import { SegmentsText } from "./SegmentsText.js"

export const keyWarning = (peer: string) =>
  `WARNING: the key of ${peer} has changed! Messages still use the pinned key. Check with /fingerprint ${peer}, accept with /trust ${peer}.`

export const MessageView = ({
  server,
  buffer,
  focused,
  width,
  height
}: {
  server: Server
  buffer: Buffer
  focused: boolean
  width: number
  height: number
}) => {
  const inner = Math.max(1, width - 2)
  const bannerRows = buffer.keyChange ? Math.min(3, Math.ceil(keyWarning(buffer.name).length / inner)) : 0
  const rows = Math.max(0, height - 3 - bannerRows)
  const all = messageLines(buffer, inner)
  const { lines, scroll } = visibleLines(all, rows, buffer.scroll)
  const title = `${server.name} / ${buffer.name}${scroll > 0 ? `  (${scroll} lines back, PageDown/Esc to return)` : ""}`
  return (
    <Panel title={title} focused={focused} width={width} height={height}>
      {buffer.keyChange ? (
        <Box height={bannerRows}>
          <Text color="white" backgroundColor="red" bold>
            {keyWarning(buffer.name)}
          </Text>
        </Box>
      ) : null}
      {lines.map((line) => (
        <SegmentsText key={line.key} line={line} />
      ))}
    </Panel>
  )
}
