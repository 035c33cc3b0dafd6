/** @jsxRuntime automatic @jsxImportSource react */
/** One row: the transient error, else the spinner with what runs, else a hint. */
import { Text } from "ink"
import type { AppState } from "../state/model.js"
import { useSpinner } from "../hooks/useSpinner.js"

/** `redraws` (Ctrl-R count) changes the frame invisibly so the whole screen is written again. */
export const StatusLine = ({ state, redraws = 0 }: { state: AppState; redraws?: number }) => {
  const busy = state.busy[state.busy.length - 1]
  const frame = useSpinner(busy !== undefined)
  if (state.error?.info)
    return (
      <Text color="yellow" wrap="truncate">
        {` ${state.error.text}`}
      </Text>
    )
  if (state.error !== null)
    return (
      <Text color="red" bold wrap="truncate">
        {` Error: ${state.error.text}!`}
      </Text>
    )
  if (busy !== undefined)
    return (
      <Text color="cyan" wrap="truncate">
        {` ${frame} ${busy.label}...`}
      </Text>
    )
  return (
    <Text dimColor wrap="truncate">
      {" Ctrl-L/F1 help · Ctrl-K buffers · Ctrl-S servers · Ctrl-Q quit" + " ".repeat(redraws % 2)}
    </Text>
  )
}
