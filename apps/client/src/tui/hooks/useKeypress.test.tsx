import { Text } from "ink"
import { render } from "ink-testing-library"
import { useState } from "react"
import { describe, expect, it } from "vitest"
import { describeKey } from "../keys/parseKey.js"
import { useKeypress } from "./useKeypress.js"

const Probe = () => {
  const [seen, setSeen] = useState<ReadonlyArray<string>>([])
  useKeypress((k) => setSeen((s) => [...s, describeKey(k)]))
  return <Text>{seen.join(",")}</Text>
}

const waitForFrame = async (frame: () => string | undefined, expected: string) => {
  const deadline = Date.now() + 5000
  while (frame() !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(frame()).toBe(expected)
}

describe("useKeypress", () => {
  it("delivers function keys, Alt-digits and modified arrows Ink's useInput hides", async () => {
    const t = render(<Probe />)
    for (const chunk of ["\x1bOP", "\x1b2", "\x1b[1;3A", "\x1b[1;2B", "\x0c", "a"]) {
      t.stdin.write(chunk)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await waitForFrame(t.lastFrame, "F1,Alt-2,Alt-Up,Shift-Down,Ctrl-L,a")
    t.unmount()
  })
})
