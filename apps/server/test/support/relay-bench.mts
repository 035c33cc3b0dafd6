// Ad-hoc relay measurement (not a test): server CPU per relayed MSG, 10 pairs, 64 in flight, 512-byte ciphertexts.
import * as fs from "node:fs"
import { Action, encodeStamp } from "@gochat/protocol"
import { TestClient } from "./client.js"
import * as os from "node:os"
import * as path from "node:path"
import { spawn } from "node:child_process"
import { generateKeyPair, publicKeyOf, publicKeyToPem } from "@gochat/crypto"
import { Effect } from "effect"
const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "rb-"))
const freshIdentities = (n: number) => Effect.runPromise(Effect.all(Array.from({ length: n }, () => Effect.map(generateKeyPair(2048), (p) => ({ key: p.privateKey, pem: publicKeyToPem(publicKeyOf(p.privateKey)) }))), { concurrency: "unbounded" }))
const spawnServer = (args: string[]) => new Promise<any>((resolve) => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", ...args], { stdio: ["ignore", "pipe", "inherit"] })
  let out = ""
  const exited = new Promise((r) => child.once("exit", r))
  child.stdout!.on("data", (c) => { out += c; const m = /tcp:\/\/[^\s]+:(\d+)/.exec(out); if (m && /database/.test(out)) resolve({ child, port: Number(m[1]), output: () => out, exited }) })
})

const cpu = (pid: number) => {
  const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")
  return (Number(f[11]) + Number(f[12])) * 10 // ms (CLK_TCK 100)
}
const PAIRS = 10, INFLIGHT = 64, PER_PAIR = 20_000
const srv = await spawnServer(["--port", "0", "--address", "127.0.0.1", "--db", `sqlite:${tempDir()}/b.db`, "--log-level", "ERROR"])
const pid = Number(/pid (\d+)/.exec(srv.output())![1])
const ids = await freshIdentities(PAIRS * 2)
const pairs: Array<[TestClient, TestClient]> = []
for (let i = 0; i < PAIRS; i++) {
  const s = await TestClient.open(srv.port), r = await TestClient.open(srv.port)
  await s.register(`s${i}`, ids[2 * i].pem); await r.register(`r${i}`, ids[2 * i + 1].pem)
  await s.login(`s${i}`, ids[2 * i].key); await r.login(`r${i}`, ids[2 * i + 1].key)
  pairs.push([s, r])
}
const ct = Buffer.alloc(512, 0x41), stamp = encodeStamp(1754476540)
import { encodePacket } from "@gochat/protocol"
const run = async (n: number) => Promise.all(pairs.map(async ([s, r], i) => {
  let sent = 0
  const dest = Buffer.from(`r${i}`)
  const send = () => { sent++; s.sendRaw(encodePacket({ action: Action.MSG, info: 255, id: (sent % 1000) + 1, args: [dest, stamp, ct] })) }
  for (let k = 0; k < INFLIGHT; k++) send()
  const receiver = (async () => { let got = 0; while (got < n) { const p = await r.next(30_000); if (p.action === Action.RECIV) got++ } })()
  let acked = 0
  while (acked < n) { const p = await s.next(30_000); if (p.action === Action.OK) { acked++; if (sent < n) send() } }
  await receiver
}))
await run(2000)
const c0 = cpu(pid), t0 = Date.now()
await run(PER_PAIR)
const c1 = cpu(pid), t1 = Date.now()
const total = PAIRS * PER_PAIR
console.log(`relayed ${total} in ${t1 - t0} ms; server CPU ${(c1 - c0)} ms => ${((c1 - c0) * 1000 / total).toFixed(1)} µs/msg`)
srv.child.kill("SIGTERM"); await srv.exited
process.exit(0)
