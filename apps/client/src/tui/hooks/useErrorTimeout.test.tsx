import { Text } from "ink"
import { render } from "ink-testing-library"
import { describe, expect, it } from "vitest"
import { useStore } from "./useStore.js"
import { useErrorTimeout } from "./useErrorTimeout.js"
import { Store } from "../state/store.js"
import { initialState } from "../state/reducer.js"

const Probe = ({ store, ms }: { store: Store; ms: number }) => {
  const state = useStore(store)
  useErrorTimeout(state.error, store.dispatch, ms)
  return <Text>{state.error === null ? "none" : state.error.text}</Text>
}

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 6000
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
}

describe("useStore + useErrorTimeout", () => {
  it("shows the newest dispatched error and hides it after the delay", async () => {
    const store = new Store(initialState({ verbose: false, stamp: 0 }))
    const t = render(<Probe store={store} ms={1500} />)
    expect(t.lastFrame()).toBe("none")
    store.dispatch({ _tag: "ShowError", text: "first" })
    store.dispatch({ _tag: "ShowError", text: "second" })
    await until(() => t.lastFrame() === "second")
    expect(t.lastFrame()).toBe("second")
    await until(() => t.lastFrame() === "none")
    expect(t.lastFrame()).toBe("none")
    t.unmount()
  })
})
