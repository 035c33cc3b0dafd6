/**
 * Builders for the frames the server sends. Every one goes through the protocol library's encoder, which
 * enforces the wire limits (an oversized argument throws a ProtocolError with the ERR code to reply).
 */
import {
  Action,
  EMPTY_INFO,
  encodePacket,
  encodeStamp,
  NULL_ID
} from "@gochat/protocol"

const ascii = (s: string): Uint8Array => Buffer.from(s, "latin1")
const utf8 = (s: string): Uint8Array => Buffer.from(s, "utf8")

export const helloFrame = (motd: string): Uint8Array =>
  encodePacket({ action: Action.HELLO, info: EMPTY_INFO, id: NULL_ID, args: [utf8(motd)] })

export const verifFrame = (id: number, ciphertext: Uint8Array): Uint8Array =>
  encodePacket({ action: Action.VERIF, info: EMPTY_INFO, id, args: [ciphertext] })

export const reqFrame = (id: number, username: string, pem: string, permission: number): Uint8Array =>
  encodePacket({
    action: Action.REQ,
    info: EMPTY_INFO,
    id,
    args: [utf8(username), ascii(pem), Uint8Array.of(permission)]
  })

export const usrsFrame = (id: number, list: string): Uint8Array =>
  encodePacket({ action: Action.USRS, info: EMPTY_INFO, id, args: [utf8(list)] })

export const recivFrame = (sender: Uint8Array, stamp: Uint8Array, ciphertext: Uint8Array): Uint8Array =>
  encodePacket({ action: Action.RECIV, info: EMPTY_INFO, id: NULL_ID, args: [sender, stamp, ciphertext] })

export const shtdwnFrame = (stamp: Uint8Array): Uint8Array =>
  encodePacket({ action: Action.SHTDWN, info: EMPTY_INFO, id: NULL_ID, args: [stamp] })

export const shtdwnAtFrame = (unixSeconds: number): Uint8Array => shtdwnFrame(encodeStamp(unixSeconds))

export const hookFrame = (hook: number, args: ReadonlyArray<Uint8Array>): Uint8Array =>
  encodePacket({ action: Action.HOOK, info: hook, id: NULL_ID, args })

export { ascii, utf8 }
