/**
 * End to end in real terminals: tmux runs two TUIs (separate data dirs) against a real server
 * started here. alice and bob add the server, register and log in through the popups; alice opens
 * a conversation with bob and writes; bob sees it and replies; both quit with Ctrl-Q.
 * Every wait polls `tmux capture-pane` for the expected text until a deadline.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundlePath } from "../../../../scripts/build.mjs"
import { type RunningServer, startServer } from "../../../server/src/index.js"
import { tempDir } from "../support/fixtures.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, "../../../..")
// the bundle `pnpm start client` runs (rebuilt by the global setup when the sources changed)
const clientBundle = bundlePath("client")
const socket = `gochat-e2e-${process.pid}-${Date.now().toString(36)}`

const tmux = (...args: ReadonlyArray<string>) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" })
const capture = (session: string) => tmux("capture-pane", "-p", "-t", session)
/** Named keys (C-s, Enter, M-2) as tmux understands them. */
const keys = (session: string, ...names: ReadonlyArray<string>) => void tmux("send-keys", "-t", session, ...names)
/** Literal text, then Enter. */
const line = (session: string, text: string) => {
  tmux("send-keys", "-t", session, "-l", text)
  keys(session, "Enter")
}

const waitFor = async (session: string, text: string, timeoutMs = 30_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  let screen = ""
  while (Date.now() < deadline) {
    screen = capture(session)
    if (screen.includes(text)) return screen
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${session}: "${text}" did not appear within ${timeoutMs} ms; screen:\n${screen}`)
}

/** Set TUI_SCREENSHOTS=<dir> to keep the screens docs/TUI.md shows. */
const shots = process.env.TUI_SCREENSHOTS
const shoot = (session: string, name: string) => {
  if (shots !== undefined) fs.writeFileSync(path.join(shots, `${name}.txt`), capture(session).replace(/\s+$/gm, ""))
}

let server: RunningServer

const startTui = (session: string) => {
  const home = tempDir(`gochat-tui-${session}-`)
  // CI=true as on a CI machine: the TUI must still render live frames in a terminal (Ink would not)
  const command = `cd ${JSON.stringify(root)} && CI=true GOCHAT_HOME=${JSON.stringify(home)} ${JSON.stringify(process.execPath)} ${JSON.stringify(clientBundle)} 2>${JSON.stringify(path.join(home, "stderr.txt"))}; echo TUI-EXIT=$?; sleep 120`
  tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
}

/** Adds the server through Ctrl-S Ctrl-N, connects, registers and logs in `user`. */
const onboard = async (session: string, user: string, password: string) => {
  await waitFor(session, "Write here...", 90_000)
  shoot(session, `${user}-start`)
  keys(session, "C-s", "C-n")
  await waitFor(session, "Enter server name...")
  line(session, "e2e")
  await waitFor(session, "address and port")
  line(session, `127.0.0.1:${server.port}`)
  await waitFor(session, "Does this server use TLS?")
  keys(session, "n")
  await waitFor(session, "e2e / Default")
  line(session, "/connect")
  await waitFor(session, "hello from the e2e test")
  line(session, `/register ${user}`)
  await waitFor(session, "Enter a password...")
  line(session, password)
  await waitFor(session, "Repeat your password...")
  line(session, password)
  await waitFor(session, `local user ${user} successfully registered`, 90_000)
  line(session, `/login ${user}`)
  await waitFor(session, `Enter the password of ${user}...`)
  line(session, password)
  await waitFor(session, `(${user}) >`, 60_000)
}

describe("TUI end to end (tmux)", () => {
  beforeAll(async () => {
    server = await startServer({ motd: "hello from the e2e test" })
    startTui("alice")
    startTui("bob")
  })

  afterAll(async () => {
    try {
      tmux("kill-server")
    } catch {
      // already gone
    }
    // tmux leaves its socket file behind.
    fs.rmSync(path.join(process.env.TMUX_TMPDIR ?? "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket), { force: true })
    await server?.close()
  })

  it("two users talk and quit with Ctrl-Q", async () => {
    await Promise.all([onboard("alice", "alice", "alice-pw"), onboard("bob", "bob", "bob-pw")])

    // Both are online: each users panel lists the other (bob's from the NEWLOGIN hook or USRS).
    await waitFor("alice", "[0] bob")
    await waitFor("bob", "[0] alice")
    shoot("alice", "alice-logged-in")
    if (shots !== undefined) {
      keys("alice", "C-l")
      await waitFor("alice", "Help (")
      shoot("alice", "help")
      keys("alice", "Escape")
      await waitFor("alice", "Write here...")
    }

    keys("alice", "C-k", "C-n")
    await waitFor("alice", "Enter the username to talk to...")
    line("alice", "bob")
    await waitFor("alice", "e2e / bob")
    line("alice", "hello bob, alice here")
    await waitFor("alice", "[You] at")

    // bob's conversation with alice opens by itself, unread; Alt-2 shows it.
    await waitFor("bob", "alice [1]")
    shoot("bob", "bob-unread")
    keys("bob", "M-2")
    const bobScreen = await waitFor("bob", "hello bob, alice here")
    expect(bobScreen).toContain("e2e / alice")
    expect(bobScreen).toContain("[alice] at")
    expect(bobScreen.split("hello bob, alice here").length - 1).toBe(1)
    line("bob", "hi alice, got it")

    const aliceScreen = await waitFor("alice", "hi alice, got it")
    expect(aliceScreen).toContain("[bob] at")
    shoot("alice", "alice-conversation")
    shoot("bob", "bob-conversation")

    keys("alice", "C-q")
    keys("bob", "C-q")
    await waitFor("alice", "TUI-EXIT=0")
    await waitFor("bob", "TUI-EXIT=0")
  }, 240_000)
})
