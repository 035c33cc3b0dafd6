/** The current state of a Store, re-rendering on every change. */
import { useSyncExternalStore } from "react"
import type { AppState } from "../state/model.js"
import type { Store } from "../state/store.js"

export const useStore = (store: Store): AppState => useSyncExternalStore(store.subscribe, store.getState, store.getState)
