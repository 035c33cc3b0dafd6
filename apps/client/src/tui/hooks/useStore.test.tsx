import { Text } from "ink"
import { render } from "ink-testing-library"
import { describe, expect, it } from "vitest"
import { size } from "../state/messageList.js"
import { currentBuffer, initialState } from "../state/reducer.js"
import { Store } from "../state/store.js"
import { useStore } from "./useStore.js"

const Probe = ({ store }: { store: Store }) => {
  const state = useStore(store)
  return <Text>{`${currentBuffer(state).name}:${size(currentBuffer(state).messages)}`}</Text>
}

describe("useStore", () => {
  it("draws again after every action that changes the state", async () => {
    const store = new Store(initialState({ verbose: false, stamp: 0 }))
    const t = render(<Probe store={store} />)
    expect(t.lastFrame()).toBe("System:2")
    store.dispatch({ _tag: "System", text: "one more", stamp: 1 })
    store.dispatch({ _tag: "OpenBuffer", server: "Local", name: "notes", select: true, stamp: 2 })
    const deadline = Date.now() + 5000
    while (t.lastFrame() !== "notes:0" && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    expect(t.lastFrame()).toBe("notes:0")
    t.unmount()
  })
})
