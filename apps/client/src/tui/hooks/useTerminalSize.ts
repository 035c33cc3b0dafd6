/** Columns and rows of the terminal, updated on resize; `fixed` pins them (tests, screenshots). */
import { useStdout } from "ink"
import { useEffect, useState } from "react"

export interface Size {
  readonly columns: number
  readonly rows: number
}

const read = (stdout: NodeJS.WriteStream): Size => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 })

export const useTerminalSize = (fixed?: Size): Size => {
  const { stdout } = useStdout()
  const [size, setSize] = useState<Size>(() => fixed ?? read(stdout))
  useEffect(() => {
    if (fixed !== undefined) {
      setSize(fixed)
      return
    }
    const onResize = () => setSize(read(stdout))
    stdout.on("resize", onResize)
    return () => {
      stdout.off("resize", onResize)
    }
  }, [stdout, fixed?.columns, fixed?.rows])
  return size
}
