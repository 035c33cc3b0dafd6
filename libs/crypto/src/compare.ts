/** Comparisons of secrets (challenge answers, tokens) whose duration does not depend on where they differ. */
import { timingSafeEqual } from "node:crypto"

const bytesOf = (value: Uint8Array | string): Uint8Array =>
  typeof value === "string" ? Buffer.from(value, "utf8") : value

/**
 * Whether `a` and `b` hold the same bytes (strings are compared as UTF-8). The content comparison always
 * runs over the whole of `a`, so timing reveals at most the lengths, never the first differing byte.
 */
export const constantTimeEqual = (a: Uint8Array | string, b: Uint8Array | string): boolean => {
  const left = bytesOf(a)
  const right = bytesOf(b)
  if (left.length !== right.length) {
    timingSafeEqual(left, left)
    return false
  }
  return timingSafeEqual(left, right)
}
