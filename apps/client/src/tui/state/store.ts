/** Holds the state, applies actions through the reducer and tells subscribers (React) about changes. */
import type { AppState } from "./model.js"
import { type Action, reduce } from "./reducer.js"

export class Store {
  private state: AppState
  private readonly listeners = new Set<() => void>()

  constructor(initial: AppState) {
    this.state = initial
  }

  readonly getState = (): AppState => this.state

  readonly dispatch = (action: Action): void => {
    const next = reduce(this.state, action)
    if (next === this.state) return
    this.state = next
    for (const listener of this.listeners) listener()
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
