import { Text } from "ink"
import { render } from "ink-testing-library"
import { describe, expect, it } from "vitest"
import { SPINNER_FRAMES, useSpinner } from "./useSpinner.js"

const Probe = ({ active }: { active: boolean }) => <Text>{useSpinner(active, 10)}</Text>

describe("useSpinner", () => {
  it("turns while active and stands still otherwise", async () => {
    const t = render(<Probe active={false} />)
    expect(t.lastFrame()).toBe(SPINNER_FRAMES[0])
    t.rerender(<Probe active />)
    const deadline = Date.now() + 5000
    while (t.lastFrame() === SPINNER_FRAMES[0] && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(SPINNER_FRAMES.slice(1)).toContain(t.lastFrame())
    t.unmount()
  })
})
