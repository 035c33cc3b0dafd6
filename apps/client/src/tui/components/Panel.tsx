/** @jsxRuntime automatic @jsxImportSource react */
/** A bordered box with a bold title on its first row; the border is cyan when focused. */
import { Box, Text } from "ink"
import type { ReactNode } from "react"

export interface PanelProps {
  readonly title: string
  readonly focused?: boolean
  readonly width?: number
  readonly height?: number
  readonly flexGrow?: number
  readonly children?: ReactNode
}

export const Panel = ({ title, focused = false, width, height, flexGrow, children }: PanelProps) => (
  <Box
    flexDirection="column"
    borderStyle="round"
    borderColor={focused ? "cyan" : "gray"}
    width={width}
    height={height}
    flexGrow={flexGrow}
    flexShrink={0}
    overflow="hidden"
  >
    <Text bold color={focused ? "cyan" : undefined} wrap="truncate">
      {title}
    </Text>
    {children}
  </Box>
)
