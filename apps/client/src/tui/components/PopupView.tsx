/** @jsxRuntime automatic @jsxImportSource react */
/** The front popup: a (masked) prompt, a yes/no question or the Ctrl-G switcher. */
import { Box, Text } from "ink"
import type { Popup } from "../state/model.js"
import { fit, graphemes } from "../text.js"
import { inputWindow } from "./InputLine.js"

export const popupHeight = (popup: Popup, candidates: ReadonlyArray<string>): number =>
  popup._tag === "Switcher" ? 5 + (candidates.length > 0 ? 1 : 0) : popup.title.split("\n").length + 4

export const PopupView = ({ popup, width, candidates }: { popup: Popup; width: number; candidates: ReadonlyArray<string> }) => {
  const title = popup._tag === "Switcher" ? "Go to..." : popup.title
  return (
    <Box flexDirection="column" borderStyle="double" borderColor="yellow" width={width} flexShrink={0}>
      {title.split("\n").map((line, i) => (
        <Text key={i} bold wrap="truncate">
          {fit(line, width - 2)}
        </Text>
      ))}
      {popup._tag === "Confirm" ? (
        <Text>
          <Text color="green" bold={popup.enter} inverse={popup.enter}>
            [Y]es
          </Text>
          {" / "}
          <Text color="red" bold={!popup.enter} inverse={!popup.enter}>
            [N]o
          </Text>
        </Text>
      ) : (
        <Text wrap="truncate">
          {"> "}
          {inputWindow(popup._tag === "Prompt" && popup.masked ? "*".repeat(graphemes(popup.value).length) : popup.value, Infinity, width - 5).before}
          <Text inverse> </Text>
        </Text>
      )}
      {popup._tag === "Switcher" && candidates.length > 0 ? (
        <Text dimColor wrap="truncate">
          {fit(candidates.join("  "), width - 2)}
        </Text>
      ) : null}
      <Text dimColor wrap="truncate">
        {popup._tag === "Confirm" ? `y / n, Enter: ${popup.enter ? "yes" : "no"}, Esc cancels` : popup._tag === "Switcher" ? "Tab completes, Enter goes, Esc cancels" : "Enter confirms, Esc cancels"}
      </Text>
    </Box>
  )
}
