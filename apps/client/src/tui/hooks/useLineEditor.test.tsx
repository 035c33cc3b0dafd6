import { Text } from "ink"
import { render } from "ink-testing-library"
import { describe, expect, it } from "vitest"
import { type LineEditor, useLineEditor } from "./useLineEditor.js"

const mount = (history: ReadonlyArray<string>) => {
  const box: { editor?: LineEditor } = {}
  const Probe = () => {
    const editor = useLineEditor(history)
    box.editor = editor
    return <Text>{`[${editor.value.slice(0, editor.cursor)}|${editor.value.slice(editor.cursor)}]`}</Text>
  }
  const instance = render(<Probe />)
  return { editor: () => box.editor!, frame: () => instance.lastFrame(), instance }
}

describe("useLineEditor", () => {
  it("edits at the cursor and sees edits made in the same tick", () => {
    const t = mount([])
    const e = t.editor()
    e.insert("helo")
    e.move("left")
    e.insert("l")
    expect(e.value).toBe("hello")
    e.move("end")
    e.insert(" world")
    e.deleteWord()
    expect(e.value).toBe("hello ")
    e.move("home")
    e.deleteForward()
    e.backspace()
    expect(e.value).toBe("ello ")
    t.instance.rerender(<Text />)
    t.instance.unmount()
  })

  it("walks the history only from an empty line, and Esc-clear forgets the walk", async () => {
    const t = mount(["/login alice", "hi"])
    const e = t.editor()
    e.insert("draft")
    expect(e.historyPrev()).toBe(false)
    e.clear()
    expect(e.historyPrev()).toBe(true)
    expect(e.value).toBe("hi")
    expect(e.historyPrev()).toBe(true)
    expect(e.value).toBe("/login alice")
    expect(e.historyPrev()).toBe(true)
    expect(e.value).toBe("/login alice")
    expect(e.historyNext()).toBe(true)
    expect(e.value).toBe("hi")
    expect(e.historyNext()).toBe(true)
    expect(e.value).toBe("")
    expect(e.historyNext()).toBe(false)
    e.insert("x")
    await new Promise((resolve) => setImmediate(resolve))
    expect(t.frame()).toBe("[x|]")
    t.instance.unmount()
  })
})
