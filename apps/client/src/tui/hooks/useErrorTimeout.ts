/** Hides the transient error line `ms` after it was shown (a newer error restarts the wait). */
import { useEffect } from "react"
import type { AppState } from "../state/model.js"
import type { Action } from "../state/reducer.js"

export const ERROR_VISIBLE_MS = 3000

export const useErrorTimeout = (error: AppState["error"], dispatch: (action: Action) => void, ms = ERROR_VISIBLE_MS): void => {
  const seq = error?.seq
  useEffect(() => {
    if (seq === undefined) return
    const timer = setTimeout(() => dispatch({ _tag: "ClearError", seq }), ms)
    return () => clearTimeout(timer)
  }, [seq, dispatch, ms])
}
