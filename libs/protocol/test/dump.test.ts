import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { Action, PacketFramer, dumpPacket } from "../src/index.js"
import { golden } from "./golden.js"

describe("dumpPacket", () => {
  it("names the header fields and decodes stamps, permissions and text", () => {
    const msg = dumpPacket(golden("msg_crlf_c2s.hex").bytes, "c2s")
    expect(msg.split("\n")[0]).toBe("MSG c2s ver=1 action=0x0b info=0xff (empty) args=3 len=526 id=23 [536 bytes]")
    expect(msg).toContain('arg[0] 3 B: "bob"')
    expect(msg).toContain("arg[1] 5 B: stamp 1795610013 (" + new Date(1795610013 * 1000).toISOString() + ") bad6b6b00d")
    expect(msg).toContain("arg[2] 512 B: binary 5c91fb15")
    expect(msg).toContain("(+448 bytes)")

    expect(dumpPacket(golden("err_maxsize_nullid.hex").bytes, "s2c")).toBe(
      "ERR s2c ver=1 action=0x02 info=0x06 ERR_MAXSIZE args=0 len=0 id=0 (null) [10 bytes]"
    )
    expect(dumpPacket(golden("hook_newlogin.hex").bytes)).toContain("info=0x01 HOOK_NEWLOGIN")
    expect(dumpPacket(golden("hook_newlogin.hex").bytes)).toContain("arg[1] 1 B: permission 0 USER")
    expect(dumpPacket(golden("usrs_onlineperms_s2c.hex").bytes, "s2c")).toContain('"alice 0\\nbob 0\\ncarol 0"')
    expect(dumpPacket(golden("usrs_onlineperms_c2s.hex").bytes, "c2s")).toContain("info=0x03 USRS_ONLINEPERMS")
    expect(dumpPacket(golden("verif_s2c.hex").bytes, "s2c")).toContain("arg[0] 512 B: binary")
  })

  it("dumps decoded packets the same way as their frames", () => {
    const bytes = golden("req_s2c.hex").bytes
    const [p] = new PacketFramer("client").push(bytes)
    expect(p.action).toBe(Action.REQ)
    expect(dumpPacket(p, "s2c")).toBe(dumpPacket(bytes, "s2c"))
  })

  it("describes malformed frames instead of throwing", () => {
    expect(dumpPacket(golden("badver_c2s.hex").bytes)).toContain("ver=2")
    expect(dumpPacket(Uint8Array.of(1, 2, 3))).toBe("incomplete header: 3 bytes 010203")
    const truncated = dumpPacket(golden("msg_online_c2s.hex").bytes.subarray(0, 40))
    expect(truncated).toContain("malformed: frame needs")
    const unknown = dumpPacket(Uint8Array.from(Buffer.from("142ff0000001ffff0d0a", "hex")))
    expect(unknown).toContain("UNKNOWN(0x42)")
  })

  it.prop("never throws on arbitrary bytes", [fc.uint8Array({ maxLength: 64 })], ([bytes]) => {
    expect(typeof dumpPacket(bytes)).toBe("string")
  })
})
