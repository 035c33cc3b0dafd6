/** @jsxRuntime automatic @jsxImportSource react */
/** ` (alice) > text` with an inverse cursor, or the green placeholder. */
import { Box, Text } from "ink"

export const InputLine = ({
  user,
  value,
  cursor,
  focused,
  width
}: {
  user: string | null
  value: string
  cursor: number
  focused: boolean
  width: number
}) => {
  const label = user === null ? " > " : ` (${user}) > `
  const room = Math.max(1, width - 2 - label.length - 1)
  const start = Math.max(0, cursor - room + 1)
  // Newlines (Alt-Enter) show as ↵ so the line keeps its height and the cursor its column.
  const shown = value.slice(start, start + room).replace(/\n/g, "↵")
  const at = cursor - start
  return (
    <Box borderStyle="round" borderColor={focused ? "cyan" : "gray"} width={width} height={3} flexShrink={0}>
      <Text wrap="truncate">
        <Text bold>{label}</Text>
        {value === "" ? (
          <Text>
            {focused ? <Text inverse> </Text> : null}
            <Text color="green">Write here...</Text>
          </Text>
        ) : (
          <Text>
            {shown.slice(0, at)}
            {focused ? <Text inverse>{shown[at] ?? " "}</Text> : (shown[at] ?? "")}
            {shown.slice(at + 1)}
          </Text>
        )}
      </Text>
    </Box>
  )
}
