/** @jsxRuntime automatic @jsxImportSource react */
/** Every key binding (from the bindings table) and every slash command, scrollable. */
import { Text } from "ink"
import { usage } from "../commands/registry.js"
import type { SlashCommand } from "../commands/types.js"
import { type Context, CONTEXT_TITLES, helpRows } from "../keys/bindings.js"
import { Panel } from "./Panel.js"

const CONTEXTS: ReadonlyArray<Context> = ["global", "input", "messages", "buffers", "servers", "help"]

export interface HelpLine {
  readonly text: string
  readonly heading: boolean
}

export const helpLines = (commands: ReadonlyArray<SlashCommand>): ReadonlyArray<HelpLine> => {
  const lines: Array<HelpLine> = []
  const width = Math.max(...CONTEXTS.flatMap((c) => helpRows(c).map((b) => b.keys.length)))
  for (const context of CONTEXTS) {
    lines.push({ text: CONTEXT_TITLES[context], heading: true })
    for (const b of helpRows(context)) lines.push({ text: `  ${b.keys.padEnd(width)}  ${b.description}`, heading: false })
  }
  lines.push({ text: "Popups", heading: true })
  lines.push({ text: `  ${"Enter / Esc".padEnd(width)}  confirm / cancel (y / n answer questions)`, heading: false })
  lines.push({ text: `  ${"Tab".padEnd(width)}  complete the name in the Ctrl-G switcher`, heading: false })
  lines.push({ text: "Commands (/help <command> for details)", heading: true })
  for (const c of commands) lines.push({ text: `  ${usage(c)}`, heading: false }, { text: `      ${c.summary}`, heading: false })
  return lines
}

export const HelpOverlay = ({
  commands,
  scroll,
  width,
  height
}: {
  commands: ReadonlyArray<SlashCommand>
  scroll: number
  width: number
  height: number
}) => {
  const lines = helpLines(commands)
  const rows = Math.max(0, height - 3)
  const start = Math.min(scroll, Math.max(0, lines.length - rows))
  return (
    <Panel title={`Help (${start + 1}-${Math.min(lines.length, start + rows)} of ${lines.length}, Esc closes)`} focused width={width} height={height}>
      {lines.slice(start, start + rows).map((l, i) => (
        <Text key={start + i} bold={l.heading} color={l.heading ? "cyan" : undefined} wrap="truncate">
          {l.text}
        </Text>
      ))}
    </Panel>
  )
}
