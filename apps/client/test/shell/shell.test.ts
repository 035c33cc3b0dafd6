/**
 * The shell: the grammar and REPL in-process with scripted input (non-TTY semantics), the real
 * program through stdin and one-shot from the system shell, and once in tmux (a real TTY) to
 * check that passwords are not echoed.
 */
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { RunningServer } from "../../../server/src/index.js"
import { commands } from "../../src/core/index.js"
import { tokenize } from "../../src/shell/tokenize.js"
import { homeWithAlicesKey, repoRoot, startShellFixture, type TestClient } from "../support/fixtures.js"
import { runScripted } from "../support/shell.js"

const clientBin = path.join(repoRoot, "apps/client/bin/gochat-client.mjs")

describe("tokenize", () => {
  it("splits on whitespace and honours quotes and escapes", () => {
    expect(tokenize(`msg bob "hello  there" it\\'s 'a "b"'`)).toEqual({ ok: true, words: ["msg", "bob", "hello  there", "it's", 'a "b"'] })
    expect(tokenize("   ")).toEqual({ ok: true, words: [] })
    expect(tokenize(`msg "open`).ok).toBe(false)
  })
})

describe("shell", () => {
  let server: RunningServer
  let bob: TestClient
  beforeAll(async () => {
    ({ server, bob } = await startShellFixture("gochat-shell-", "shell test server"))
  })
  afterAll(async () => {
    await bob?.dispose()
    await server?.close()
  })

  it("runs a scripted session: case-insensitive commands, passwords from input lines, EOF ends it", async () => {
    const dir = homeWithAlicesKey()
    const out = await runScripted(dir, [
      "HELP msg",
      `RegServer local 127.0.0.1 ${server.port}`,
      "conn local",
      "msg bob hi",
      "Import alice alice.priv",
      "pw-alice",
      "pw-alice",
      "nosuchcommand",
      "login alice",
      "wrong-password",
      "login alice",
      "pw-alice"
    ].concat([
      "msg bob \"hello from the shell\"",
      "usrs online --perms",
      "req",
      "fingerprint bob",
      "export alice" // its password prompt meets the end of input
    ]))
    expect(out).toContain("usage: MSG <username> <text...>")
    expect(out).toContain("[OK] server local (127.0.0.1")
    expect(out).toContain("[INFO] server MOTD (message of the day):\nshell test server")
    expect(out).toContain("[ERROR] MSG: you are not logged in (use LOGIN <username>)")
    expect(out).toContain("[OK] local user alice successfully added for local")
    expect(out).toContain("[ERROR] NOSUCHCOMMAND: command not found")
    expect(out).toContain("[ERROR] LOGIN: wrong password for alice")
    expect(out).toContain("[OK] logged in as alice")
    expect(out).toContain("[OK] message sent correctly")
    expect(out).toContain("online users with permissions:\nalice 0\nbob 0")
    expect(out).toContain("[ERROR] REQ: Missing argument <username>")
    expect(out).toMatch(/bob: [0-9a-f]{4}(:[0-9a-f]{4}){15} \(pinned /)
    expect(out).toContain("[ERROR] EXPORT: no password given: input ended (use --password-file when scripting)")
    const got = await bob.waitForEvent((e) => e._tag === "MessageReceived" && e.text === "hello from the shell")
    expect(got._tag).toBe("MessageReceived")
  })

  it("works through stdin without a TTY, and one-shot from the system shell", async () => {
    const dir = homeWithAlicesKey()
    const passwordFile = path.join(dir, "pw")
    fs.writeFileSync(passwordFile, "pw-alice\n")
    const env = { ...process.env, GOCHAT_HOME: dir, NO_COLOR: "1" }
    const run = (args: ReadonlyArray<string>, input: string) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [clientBin, ...args], { env, stdio: ["pipe", "pipe", "pipe"] })
        let out = ""
        child.stdout.on("data", (d) => (out += d))
        child.stderr.on("data", (d) => (out += d))
        child.on("error", reject)
        child.on("exit", (code) => resolve({ code, out }))
        child.stdin.end(input)
      })
    const shell = await run(["--shell"], [
      `regserver local 127.0.0.1 ${server.port}`,
      "conn local",
      "import alice alice.priv",
      "pw-alice",
      "pw-alice",
      "login alice",
      "pw-alice",
      "msg bob via stdin",
      ""
    ].join("\n"))
    expect(shell.out).toContain("[OK] logged in as alice")
    expect(shell.out).toContain("[OK] message sent correctly")
    expect(shell.code).toBe(0)
    expect((await bob.waitForEvent((e) => e._tag === "MessageReceived" && e.text === "via stdin"))._tag).toBe("MessageReceived")

    const oneShot = await run(["msg", "--server", "local", "--user", "alice", "--password-file", passwordFile, "bob", "one shot"], "")
    expect(oneShot.out).toContain("[OK] message sent correctly")
    expect(oneShot.code).toBe(0)
    expect((await bob.waitForEvent((e) => e._tag === "MessageReceived" && e.text === "one shot"))._tag).toBe("MessageReceived")

    // one-shot RECIV: the offline message is printed once, as what RECIV received (the login before it fetches nothing)
    await bob.run(commands.msg({ to: "alice", text: "while you were away" }))
    const reciv = await run(["reciv", "--server", "local", "--user", "alice", "--password-file", passwordFile], "")
    expect(reciv.out.split("while you were away").length - 1).toBe(1)
    expect(reciv.out).toContain("[OK] messages queried correctly")
    expect(reciv.out).not.toContain("no new messages")
    expect(reciv.code).toBe(0)
    const again = await run(["reciv", "--server", "local", "--user", "alice", "--password-file", passwordFile], "")
    expect(again.out).toContain("[INFO] no new messages")
    expect(again.out).not.toContain("while you were away")
  }, 180_000)

  it("hides passwords on a TTY (tmux)", async () => {
    const dir = homeWithAlicesKey()
    const session = `gochat-test-${process.pid}-${Date.now()}`
    const tmux = (...args: Array<string>) => execFileSync("tmux", args, { encoding: "utf8" })
    const screen = () => tmux("capture-pane", "-p", "-t", session, "-S", "-200")
    /** Wait until the screen contains `text`, polling tmux (the shell runs in another process). */
    const waitForScreen = async (text: string, ms = 60_000) => {
      const deadline = Date.now() + ms
      while (Date.now() < deadline) {
        if (screen().includes(text)) return
        await new Promise((r) => setTimeout(r, 100))
      }
      throw new Error(`"${text}" did not appear on the screen:\n${screen()}`)
    }
    const secret = "Sup3rSecretPw"
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50",
      `env GOCHAT_HOME=${dir} ${process.execPath} ${clientBin} --shell`)
    try {
      await waitForScreen("(not connected) gochat() >")
      tmux("send-keys", "-t", session, `regserver local 127.0.0.1 ${server.port}`, "Enter")
      await waitForScreen("registered")
      tmux("send-keys", "-t", session, "import alice alice.priv --server local", "Enter")
      await waitForScreen("password:")
      tmux("send-keys", "-t", session, secret, "Enter")
      await waitForScreen("repeat password:")
      tmux("send-keys", "-t", session, secret, "Enter")
      await waitForScreen("[OK] local user alice successfully added")
      tmux("send-keys", "-t", session, "conn local", "Enter")
      await waitForScreen("[OK] connected to local")
      tmux("send-keys", "-t", session, "login alice", "Enter")
      await waitForScreen("alice's password:")
      tmux("send-keys", "-t", session, secret, "Enter")
      await waitForScreen("gochat(alice) >")
      await bob.run(commands.msg({ to: "alice", text: "ping from bob" }))
      await waitForScreen("bob: ping from bob")
      expect(screen()).not.toContain(secret)
      tmux("send-keys", "-t", session, "exit", "Enter")
    } finally {
      try {
        tmux("kill-session", "-t", session)
      } catch {
        // already gone after EXIT
      }
    }
  }, 180_000)
})
