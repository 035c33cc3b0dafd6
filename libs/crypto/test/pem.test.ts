import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Option } from "effect"
import { decodePem, encodePem } from "../src/pem.js"

const der = Uint8Array.from({ length: 100 }, (_, i) => i)

describe("encodePem", () => {
  it("writes Go's pem.Encode layout: 64-column lines, LF, trailing LF", () => {
    const base64 = Buffer.from(der).toString("base64")
    expect(encodePem("TEST", der)).toBe(
      `-----BEGIN TEST-----\n${base64.slice(0, 64)}\n${base64.slice(64, 128)}\n${base64.slice(128)}\n-----END TEST-----\n`
    )
    expect(encodePem("EMPTY", new Uint8Array(0))).toBe("-----BEGIN EMPTY-----\n-----END EMPTY-----\n")
  })
})

describe("decodePem", () => {
  const block = (label: string, bytes: Uint8Array) => ({ label, der: bytes })

  it.prop(
    "reads back whatever encodePem writes",
    [fc.stringMatching(/^[A-Z0-9]+( [A-Z0-9]+)*$/), fc.uint8Array({ maxLength: 300 })],
    ([label, bytes]) => {
      const pem = encodePem(label, bytes)
      for (const line of pem.split("\n").slice(1, -2)) expect(line.length).toBeLessThanOrEqual(64)
      expect(decodePem(pem)).toEqual(Option.some(block(label, bytes)))
    },
    { fastCheck: { numRuns: 200 } }
  )

  it("skips leading junk, header lines and whitespace, and accepts bytes", () => {
    const pem = encodePem("X", der)
    const expected = Option.some(block("X", der))
    expect(decodePem(`junk\n${pem}`)).toEqual(expected)
    expect(decodePem(pem.replace("-----\n", "-----\nProc-Type: 4,TEST\n\n"))).toEqual(expected)
    expect(decodePem(pem.replace(/\n/g, " \t\r\n"))).toEqual(expected)
    expect(decodePem(new TextEncoder().encode(pem))).toEqual(expected)
  })

  it("needs BEGIN at the start of a line and an END line naming the same label", () => {
    const pem = encodePem("X", der)
    expect(decodePem(`junk${pem}`)).toEqual(Option.none())
    expect(decodePem(pem.replace("END X", "END Y"))).toEqual(Option.none())
    expect(decodePem(pem.replace("END X-----", "END X----- trailing"))).toEqual(Option.none())
    expect(decodePem(pem.slice(0, -10))).toEqual(Option.none())
    expect(decodePem(`${pem.replace("END X", "END Y")}${encodePem("Z", der)}`)).toEqual(Option.some(block("Z", der)))
  })

  it("rejects a body that is not strict base64", () => {
    const pem = encodePem("X", der)
    expect(decodePem(pem.replace("AAECAw", "AA*CAw"))).toEqual(Option.none())
    expect(decodePem("-----BEGIN X-----\nAAE\n-----END X-----\n")).toEqual(Option.none())
  })
})
