/** @jsxRuntime automatic @jsxImportSource react */
/**
 * A bordered box with a bold title on its first row; the border is cyan when focused. Rows that
 * do not fit are cut; columns are not: every line is fitted to the width already (text.ts), and
 * Ink's sideways clip would cut the padding that keeps wide graphemes in place.
 */
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
    overflowY="hidden"
  >
    <Text bold color={focused ? "cyan" : undefined} wrap="truncate">
      {title}
    </Text>
    {children}
  </Box>
)

/**
 * The first item to show in a list of `count` items with `rows` rows so that `selected` stays visible
 * (scrolled as little as possible, never past the end).
 */
export const scrollStart = (count: number, selected: number, rows: number): number =>
  Math.min(Math.max(0, Math.max(0, selected) - rows + 1), Math.max(0, count - rows))
