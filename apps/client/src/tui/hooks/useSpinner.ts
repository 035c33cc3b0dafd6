/** The frame of a spinner, advancing while `active`. */
import { useEffect, useState } from "react"

export const SPINNER_FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

export const useSpinner = (active: boolean, intervalMs = 80): string => {
  const [frame, setFrame] = useState(0)
  useEffect(() => {
    if (!active) return
    const timer = setInterval(() => setFrame((f) => (f + 1) % SPINNER_FRAMES.length), intervalMs)
    return () => clearInterval(timer)
  }, [active, intervalMs])
  return SPINNER_FRAMES[frame]
}
