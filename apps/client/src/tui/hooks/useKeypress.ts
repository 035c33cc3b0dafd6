/**
 * Calls `handler` with every key press Ink reads from stdin, parsed by our own parser so that
 * function keys, Alt-digits and modified arrows arrive intact. A paste arrives as one `paste`
 * key press: between the bracketed-paste marks the terminal sends (main.tsx turns the mode on),
 * or, from a terminal without that mode, a read holding a line break followed by more text.
 * Without a TTY (raw mode not supported) it listens to nothing instead of throwing like Ink's
 * `useInput`.
 */
import { useStdin } from "ink"
import { useEffect, useRef } from "react"
import { isPaste, type KeyPress, PASTE_END, PASTE_START, parseKey, pasteKey, splitKeys } from "../keys/parseKey.js"

export const useKeypress = (handler: (key: KeyPress) => void, active = true): void => {
  const { isRawModeSupported, setRawMode, internal_eventEmitter } = useStdin()
  const latest = useRef(handler)
  latest.current = handler
  useEffect(() => {
    if (!active || !isRawModeSupported) return
    setRawMode(true)
    let pasted: string | null = null
    const onInput = (data: string) => {
      if (data === PASTE_START) {
        pasted = ""
        return
      }
      if (pasted !== null) {
        if (data !== PASTE_END) {
          pasted += data
          return
        }
        const text = pasted
        pasted = null
        return latest.current(pasteKey(text))
      }
      if (isPaste(data)) return latest.current(pasteKey(data))
      for (const sequence of splitKeys(data)) latest.current(parseKey(sequence))
    }
    internal_eventEmitter.on("input", onInput)
    return () => {
      internal_eventEmitter.removeListener("input", onInput)
      setRawMode(false)
    }
  }, [active, isRawModeSupported, setRawMode, internal_eventEmitter])
}
