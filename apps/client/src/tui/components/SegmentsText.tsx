/** @jsxRuntime automatic @jsxImportSource react */
import { Text } from "ink"
import type { Line } from "./lines.js"

/** One screen line made of styled segments, cut at the edge. */
export const SegmentsText = ({ line }: { readonly line: Line }) => (
  <Text wrap="truncate">
    {line.segments.map((s, i) => (
      <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} italic={s.italic} underline={s.underline}>
        {s.text}
      </Text>
    ))}
  </Text>
)
