/**
 * The original's captured frames and keys (test-support/golden): `*.hex` files are hex with `#` notes,
 * a frame is an 8-byte header, CRLF, then every argument followed by CRLF.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const goldenDir = fileURLToPath(new URL("../../../test-support/golden/", import.meta.url))

export const goldenFrame = (name: string): Uint8Array => {
  const hex = readFileSync(`${goldenDir}${name}.hex`, "utf8")
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("")
    .replace(/\s+/g, "")
  return new Uint8Array(Buffer.from(hex, "hex"))
}

/**
 * The arguments of a frame. The argument count is the header's low nibble of byte 2; the first n-1
 * arguments end at the first CRLF, the last one runs to the final CRLF (so a ciphertext may hold CRLF).
 */
export const frameArgs = (frame: Uint8Array): Array<Uint8Array> => {
  const count = frame[2] & 0x0f
  const args: Array<Uint8Array> = []
  let at = 10
  for (let i = 0; i < count - 1; i++) {
    let end = at
    while (!(frame[end] === 0x0d && frame[end + 1] === 0x0a)) end++
    args.push(frame.subarray(at, end))
    at = end + 2
  }
  if (count > 0) args.push(frame.subarray(at, frame.length - 2))
  return args
}

export const goldenKey = (name: "alice" | "bob"): string => readFileSync(`${goldenDir}keys/${name}.priv`, "utf8")
