/**
 * Builders for the frames the server sends. Every one goes through the protocol library's encoder, which
 * enforces the wire limits (an oversized argument throws a ProtocolError with the ERR code to reply).
 */
import {
  Action,
  EMPTY_INFO,
  encodePacket,
  encodeStamp,
  NULL_ID,
  type Packet,
  packetSize,
  writePacket
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

/** What a RECIV of a stored message carries. */
export interface StoredReciv {
  readonly sender: string
  readonly stamp: number
  readonly ciphertext: Uint8Array
}

/**
 * The RECIV frames of stored messages, back to back in one buffer (a catch-up chunk): one allocation, no
 * concatenation, and the same `writePacket` the relay's hot path keeps optimised. A sender's name and a
 * stamp are encoded once per run of equal values. No validation needed: a name is at most 32 bytes and a
 * stored ciphertext came from an accepted MSG frame, so every frame fits the limits (as in the relay).
 */
export const recivFrames = (messages: ReadonlyArray<StoredReciv>): Buffer => {
  const packets: Array<Packet> = new Array(messages.length)
  let size = 0
  let lastSender: string | undefined
  let senderBytes: Uint8Array = new Uint8Array()
  let lastStamp: number | undefined
  let stampBytes: Uint8Array = new Uint8Array()
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]
    if (m.sender !== lastSender) {
      lastSender = m.sender
      senderBytes = ascii(m.sender)
    }
    if (m.stamp !== lastStamp) {
      lastStamp = m.stamp
      stampBytes = encodeStamp(m.stamp)
    }
    const p: Packet = { action: Action.RECIV, info: EMPTY_INFO, id: NULL_ID, args: [senderBytes, stampBytes, m.ciphertext] }
    packets[i] = p
    size += packetSize(p)
  }
  const out = Buffer.allocUnsafe(size)
  let offset = 0
  for (let i = 0; i < packets.length; i++) offset = writePacket(packets[i], out, offset)
  return out
}

export const shtdwnFrame = (stamp: Uint8Array): Uint8Array =>
  encodePacket({ action: Action.SHTDWN, info: EMPTY_INFO, id: NULL_ID, args: [stamp] })

export const shtdwnAtFrame = (unixSeconds: number): Uint8Array => shtdwnFrame(encodeStamp(unixSeconds))

export const hookFrame = (hook: number, args: ReadonlyArray<Uint8Array>): Uint8Array =>
  encodePacket({ action: Action.HOOK, info: hook, id: NULL_ID, args })

export { ascii, utf8 }
