/**
 * Loads the golden frames captured from the original (test-support/golden): the frame bytes,
 * the direction from INDEX.tsv, and the facts stated in each file's `#` notes.
 */
import { readFileSync, readdirSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const GOLDEN_DIR = fileURLToPath(new URL("../../../test-support/golden/", import.meta.url))

export interface GoldenHeader {
  readonly version: number
  readonly action: number
  readonly info: number
  readonly args: number
  readonly len: number
  readonly id: number
}

export type GoldenArg =
  | { readonly index: number; readonly kind: "text"; readonly length: number; readonly text: string; readonly complete: boolean }
  | { readonly index: number; readonly kind: "stamp"; readonly length: number; readonly hex: string; readonly seconds: number }
  | { readonly index: number; readonly kind: "perm"; readonly length: 1; readonly value: number }
  | { readonly index: number; readonly kind: "binary"; readonly length: number; readonly plaintext?: string }

export interface GoldenFrame {
  readonly file: string
  readonly direction: "c2s" | "s2c"
  readonly bytes: Uint8Array
  readonly header: GoldenHeader
  readonly args: ReadonlyArray<GoldenArg>
}

const hexToBytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, "hex"))

const parseHeader = (line: string): GoldenHeader => {
  const field = (name: string): number => {
    const m = new RegExp(`\\b${name}=(0x[0-9a-f]+|\\d+)`).exec(line)
    if (m === null) throw new Error(`golden header note without ${name}: ${line}`)
    return Number(m[1])
  }
  return {
    version: field("ver"),
    action: field("op"),
    info: field("info"),
    args: field("args"),
    len: field("len"),
    id: field("id")
  }
}

const parseArg = (line: string): GoldenArg => {
  const head = /^# arg\[(\d+)\]: (.*)$/.exec(line)
  if (head === null) throw new Error(`bad golden arg note: ${line}`)
  const index = Number(head[1])
  const rest = head[2]
  let m = /^permission as 1 raw byte 0x([0-9a-f]{2})/.exec(rest)
  if (m !== null) return { index, kind: "perm", length: 1, value: parseInt(m[1], 16) }
  m = /^unix stamp .*, (\d+) bytes ([0-9a-f]+) = (-?\d+)/.exec(rest)
  if (m !== null) return { index, kind: "stamp", length: Number(m[1]), hex: m[2], seconds: Number(m[3]) }
  m = /^(\d+) bytes binary(?:.*decrypts with \w+\.priv to (".*"))?/.exec(rest)
  if (m !== null) {
    const plaintext = m[2] === undefined ? undefined : (JSON.parse(m[2]) as string)
    return plaintext === undefined
      ? { index, kind: "binary", length: Number(m[1]) }
      : { index, kind: "binary", length: Number(m[1]), plaintext }
  }
  m = /^(\d+) bytes text (".*")$/.exec(rest)
  if (m !== null) {
    const quoted = m[2]
    const complete = !quoted.endsWith('..."')
    const text = JSON.parse(complete ? quoted : quoted.slice(0, -4) + '"') as string
    return { index, kind: "text", length: Number(m[1]), text, complete }
  }
  throw new Error(`unrecognised golden arg note: ${line}`)
}

const directions = (): Map<string, "c2s" | "s2c"> => {
  const map = new Map<string, "c2s" | "s2c">()
  const lines = readFileSync(GOLDEN_DIR + "INDEX.tsv", "utf8").split("\n").slice(1)
  for (const line of lines) {
    const [file, , dir] = line.split("\t")
    if (file && (dir === "c2s" || dir === "s2c")) map.set(file, dir)
  }
  return map
}

export const loadGolden = (): ReadonlyArray<GoldenFrame> => {
  const dirs = directions()
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".hex"))
    .sort()
    .map((file) => {
      const text = readFileSync(GOLDEN_DIR + file, "utf8")
      const lines = text.split("\n")
      const notes = lines.filter((l) => l.startsWith("#"))
      const hex = lines
        .filter((l) => !l.startsWith("#"))
        .join("")
        .replace(/\s+/g, "")
      const headerLine = notes.find((l) => l.startsWith("# header:"))
      const direction = dirs.get(file)
      if (headerLine === undefined || direction === undefined) throw new Error(`golden ${file}: no header note or direction`)
      return {
        file,
        direction,
        bytes: hexToBytes(hex),
        header: parseHeader(headerLine),
        args: notes.filter((l) => l.startsWith("# arg[")).map(parseArg)
      }
    })
}

export const golden = (file: string): GoldenFrame => {
  const frame = loadGolden().find((g) => g.file === file)
  if (frame === undefined) throw new Error(`no golden frame ${file}`)
  return frame
}

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString("utf8")
