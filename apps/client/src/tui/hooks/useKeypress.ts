/**
 * Calls `handler` with every key press Ink reads from stdin, parsed by our own parser so that
 * function keys, Alt-digits and modified arrows arrive intact. Without a TTY (raw mode not
 * supported) it listens to nothing instead of throwing like Ink's `useInput`.
 */
import { useStdin } from "ink"
import { useEffect, useRef } from "react"
import { type KeyPress, parseKey, splitKeys } from "../keys/parseKey.js"

export const useKeypress = (handler: (key: KeyPress) => void, active = true): void => {
  const { isRawModeSupported, setRawMode, internal_eventEmitter } = useStdin()
  const latest = useRef(handler)
  latest.current = handler
  useEffect(() => {
    if (!active || !isRawModeSupported) return
    setRawMode(true)
    const onInput = (data: string) => {
      for (const sequence of splitKeys(data)) latest.current(parseKey(sequence))
    }
    internal_eventEmitter.on("input", onInput)
    return () => {
      internal_eventEmitter.removeListener("input", onInput)
      setRawMode(false)
    }
  }, [active, isRawModeSupported, setRawMode, internal_eventEmitter])
}
