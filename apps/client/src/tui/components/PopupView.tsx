/** @jsxRuntime automatic @jsxImportSource react */
/** The front popup: a (masked) prompt, a yes/no question or the Ctrl-G switcher. */
import { Box, Text } from "ink"
import type { Popup } from "../state/model.js"

export const popupHeight = (popup: Popup, candidates: ReadonlyArray<string>): number =>
  popup._tag === "Switcher" ? 5 + (candidates.length > 0 ? 1 : 0) : popup.title.split("\n").length + 4

export const PopupView = ({ popup, width, candidates }: { popup: Popup; width: number; candidates: ReadonlyArray<string> }) => {
  const title = popup._tag === "Switcher" ? "Go to..." : popup.title
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" width={width} flexShrink={0}>
      {title.split("\n").map((line, i) => (
        <Text key={i} bold wrap="truncate">
          {line}
        </Text>
      ))}
      {popup._tag === "Confirm" ? (
        <Text>
          <Text color="green">[Y]es</Text> / <Text color="red">[N]o</Text>
        </Text>
      ) : (
        <Text wrap="truncate">
          {"> "}
          {popup._tag === "Prompt" && popup.masked ? "*".repeat(popup.value.length) : popup.value}
          <Text inverse> </Text>
        </Text>
      )}
      {popup._tag === "Switcher" && candidates.length > 0 ? (
        <Text dimColor wrap="truncate">
          {candidates.join("  ")}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate">
        {popup._tag === "Confirm" ? "y / n, Esc cancels" : popup._tag === "Switcher" ? "Tab completes, Enter goes, Esc cancels" : "Enter confirms, Esc cancels"}
      </Text>
    </Box>
  )
}
