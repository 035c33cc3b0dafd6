/** @jsxRuntime automatic @jsxImportSource react */
/** The current buffer's messages, scrolled, with the key-change banner above them. */
import { Box, Text } from "ink"
import type { Buffer, Server } from "../state/model.js"
import { fit, wrap } from "../text.js"
import { visibleLines } from "./lines.js"
import { Panel } from "./Panel.js"
import { SegmentsText } from "./SegmentsText.js"

export const keyWarning = (peer: string) =>
  `WARNING: the key of ${peer} has changed! Compare it with /fingerprint ${peer}, accept it with /trust ${peer}.`

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
  // Wrapped here (not by Ink) so the banner takes exactly the rows it needs, never cut.
  const banner = buffer.keyChange ? wrap(keyWarning(buffer.name), inner, inner) : []
  const bannerRows = Math.min(banner.length, Math.max(0, height - 4))
  const rows = Math.max(0, height - 3 - bannerRows)
  const { lines, scroll } = visibleLines(buffer, inner, rows, buffer.scroll)
  const title = fit(`${server.name} / ${buffer.name}${scroll > 0 ? `  (${scroll} lines back, PageDown/Esc to return)` : ""}`, inner)
  return (
    <Panel title={title} focused={focused} width={width} height={height}>
      {buffer.keyChange ? (
        <Box height={bannerRows} flexDirection="column">
          {banner.slice(0, bannerRows).map((row, i) => (
            <Text key={i} color="white" backgroundColor="red" bold wrap="truncate">
              {row}
            </Text>
          ))}
        </Box>
      ) : null}
      {lines.map((line) => (
        <SegmentsText key={line.key} line={line} />
      ))}
    </Panel>
  )
}
