import { Text } from "ink"
import { render } from "ink-testing-library"
import { describe, expect, it } from "vitest"
import { useTerminalSize } from "./useTerminalSize.js"

const Probe = ({ fixed }: { fixed?: { columns: number; rows: number } }) => {
  const { columns, rows } = useTerminalSize(fixed)
  return <Text>{`${columns}x${rows}`}</Text>
}

describe("useTerminalSize", () => {
  it("reads the terminal, follows resizes, and can be pinned", async () => {
    const t = render(<Probe />)
    // ink-testing-library's stdout is 100 columns and has no rows: 24 is assumed.
    expect(t.lastFrame()).toBe("100x24")
    Object.defineProperty(t.stdout, "rows", { value: 40, configurable: true })
    t.stdout.emit("resize")
    const deadline = Date.now() + 5000
    while (t.lastFrame() !== "100x40" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(t.lastFrame()).toBe("100x40")
    t.rerender(<Probe fixed={{ columns: 80, rows: 24 }} />)
    while (t.lastFrame() !== "80x24" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(t.lastFrame()).toBe("80x24")
    t.unmount()
  })
})
