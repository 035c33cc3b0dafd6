/**
 * A bystander: two logged-in users ping-ponging one message at a time while a scenario loads the server
 * with something else (an offline store, a REG flood, a login storm, many idle connections). Its latency
 * shows whether that load holds up everyone else (a blocked event loop shows as its p99/max).
 */
import { Action } from "@gochat/protocol"
import type { BenchConn } from "../conn.js"
import { idForSeq, MsgTemplate } from "../frames.js"
import { type Percentiles, Samples } from "../stats.js"

export interface Bystander {
  /** Stops after the round trip in flight; the latencies of the round trips completed (ms). */
  stop(): Percentiles
}

/** Starts the ping-pong: `ping` sends MSGs to `pongName` (logged in on `pong`), the next once one arrived. */
export const startBystander = (ping: BenchConn, pong: BenchConn, pongName: string, size = 512): Bystander => {
  const samples = new Samples(1024)
  const tp = new MsgTemplate(pongName, 1, size)
  const buf = Buffer.allocUnsafe(tp.size)
  let seq = 0
  let sentAt = 0
  let running = true
  const one = () => {
    if (!running) return
    tp.writeTo(buf, 0, idForSeq(seq), seq)
    seq++
    sentAt = performance.now()
    ping.write(Buffer.from(buf))
  }
  pong.onPacket = (p) => {
    if (p.action !== Action.RECIV) return
    samples.add(performance.now() - sentAt)
    one()
  }
  one()
  return {
    stop() {
      running = false
      return samples.percentiles()
    }
  }
}
