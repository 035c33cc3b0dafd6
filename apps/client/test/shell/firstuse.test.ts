/**
 * Regressions found by using the shell as a new user would: the shell runs in-process over a
 * scripted ShellIo that the test feeds line by line, against the real server over TCP.
 */
import { NodeContext } from "@effect/platform-node"
import { generateKeyPair } from "@gochat/crypto"
import { Deferred, Effect, Either, Fiber, Layer, ManagedRuntime, Queue } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { PassThrough, Writable } from "node:stream"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type RunningServer, startServer } from "../../../server/src/index.js"
import { clientLayer, type ClientServices, commands } from "../../src/core/index.js"
import { hoistGlobalOptions } from "../../src/shell/argv.js"
import { ShellMode } from "../../src/shell/commands.js"
import { runShell } from "../../src/shell/Shell.js"
import { makeNodeShellIo, ShellIo } from "../../src/shell/ShellIo.js"
import { splitLine } from "../../src/shell/tokenize.js"
import { freshConfig, goldenKey, goldenPem, homeWithAlicesKey, makeTestClient, startShellFixture, type TestClient, tempDir } from "../support/fixtures.js"

interface LiveShell {
  /** Type one line. */
  readonly send: (line: string) => void
  /** Resolves once the output (all of it so far) satisfies `pred`; rejects after 20 s. */
  readonly waitFor: (pred: (out: string) => boolean) => Promise<string>
  /** Resolves once the last prompt set by the shell satisfies `pred`. */
  readonly waitForPrompt: (pred: (prompt: string) => boolean) => Promise<string>
  readonly output: () => string
  /** End the input and wait for the shell to finish; how many command lines failed. */
  readonly end: () => Promise<number>
}

/** The shell in-process, fed line by line (non-TTY semantics: passwords are plain lines). */
const startShell = async (dataDir: string): Promise<LiveShell> => {
  const config = await freshConfig(dataDir)
  const out: Array<string> = []
  let prompt = ""
  const watchers: Array<() => void> = []
  const changed = () => watchers.splice(0).forEach((w) => w())
  const input = Effect.runSync(Queue.unbounded<string | undefined>())
  const take = Queue.take(input).pipe(Effect.tap((l) => (l === undefined ? Queue.offer(input, undefined) : Effect.void)))
  const io = ShellIo.of({
    tty: false,
    print: (text) => Effect.sync(() => (out.push(text), changed())),
    readLine: (p, kind) => Effect.zipRight(Effect.sync(() => kind === "command" && ((prompt = p), changed())), take),
    readSecret: () => take,
    setPrompt: (p) => Effect.sync(() => ((prompt = p), changed()))
  })
  const layer = Layer.mergeAll(
    clientLayer(config) as Layer.Layer<ClientServices>,
    Layer.succeed(ShellIo, io),
    Layer.succeed(ShellMode, { interactive: true }),
    NodeContext.layer
  )
  const runtime = ManagedRuntime.make(layer)
  const done = runtime.runPromise(runShell())
  const waitUntil = (check: () => boolean, what: () => string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), 20_000)
      const test = () => {
        if (check()) {
          clearTimeout(timer)
          resolve()
        } else watchers.push(test)
      }
      test()
    })
  const text = () => out.join("\n")
  return {
    send: (line) => Effect.runSync(Queue.offer(input, line)),
    output: text,
    waitFor: async (pred) => {
      await waitUntil(() => pred(text()), () => `output; got:\n${text()}`)
      return text()
    },
    waitForPrompt: async (pred) => {
      await waitUntil(() => pred(prompt), () => `prompt; last was "${prompt}"`)
      return prompt
    },
    end: async () => {
      Effect.runSync(Queue.offer(input, undefined))
      try {
        return (await done).failures
      } finally {
        await runtime.dispose()
      }
    }
  }
}

describe("splitLine: free text of MSG / ADMIN broadcast / ADMIN motd", () => {
  it("keeps apostrophes and spaces as typed, drops quotes around the whole text", () => {
    expect(splitLine(`msg bob it's   fine`)).toEqual({ ok: true, words: ["msg", "bob", "it's   fine"] })
    expect(splitLine(`MSG bob "hello  there"`)).toEqual({ ok: true, words: ["MSG", "bob", "hello  there"] })
    expect(splitLine(`msg bob say "hi" to 'them`)).toEqual({ ok: true, words: ["msg", "bob", `say "hi" to 'them`] })
    expect(splitLine(`admin broadcast it's me`)).toEqual({ ok: true, words: ["admin", "broadcast", "it's me"] })
    expect(splitLine(`ADMIN MOTD  don't panic `)).toEqual({ ok: true, words: ["ADMIN", "MOTD", "don't panic"] })
    expect(splitLine(`msg --server home bob it's`)).toEqual({ ok: true, words: ["msg", "--server", "home", "bob", "it's"] })
    expect(splitLine(`msg bob`)).toEqual({ ok: true, words: ["msg", "bob"] })
    expect(splitLine(`msg bob --server is down`)).toEqual({ ok: true, words: ["msg", "bob", "--server is down"] })
    // other commands still need balanced quotes
    expect(splitLine(`setserver home name "my home"`)).toEqual({ ok: true, words: ["setserver", "home", "name", "my home"] })
    expect(splitLine(`admin kick 'bob`).ok).toBe(false)
  })
})

describe("global options after a one-shot command", () => {
  it("are moved before it, so USRS and MSG do not take them as words", () => {
    expect(hoistGlobalOptions(["usrs", "online", "--config", "c.json", "--verbose"])).toEqual(
      ["--config", "c.json", "--verbose", "usrs", "online"]
    )
    expect(hoistGlobalOptions(["msg", "--config=c.json", "bob", "hi"])).toEqual(["--config=c.json", "msg", "bob", "hi"])
    expect(hoistGlobalOptions(["msg", "bob", "--", "--verbose"])).toEqual(["msg", "bob", "--", "--verbose"])
  })
})

describe("a terminal", () => {
  const terminal = () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined })
    const written: Array<string> = []
    const output = Object.assign(
      new Writable({ write: (chunk, _enc, done) => (written.push(String(chunk)), done()) }),
      { isTTY: true, columns: 80 }
    )
    // eslint-disable-next-line no-control-regex
    return { input, output, text: () => written.join("").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "") }
  }

  it("does not draw the prompt in front of a line typed ahead (its output would follow the prompt)", async () => {
    const t = terminal()
    const lines = await Effect.runPromise(
      Effect.gen(function*() {
        const io = yield* makeNodeShellIo(t.input, t.output)
        yield* Effect.sync(() => t.input.write("ver\nservers\n"))
        const a = yield* io.readLine("p1> ", "command")
        // both lines came in one chunk: "servers" is already waiting when "ver" has been read
        const b = yield* io.readLine("p2> ", "command")
        return [a, b]
      }).pipe(Effect.scoped)
    )
    expect(lines).toEqual(["ver", "servers"])
    expect(t.text()).not.toContain("p2> ")
  })
})

describe("a password prompt on a terminal", () => {
  it("shows messages above it and is cancelled by Ctrl-C instead of taking the next line", async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined })
    const written: Array<string> = []
    const output = Object.assign(
      new Writable({ write: (chunk, _enc, done) => (written.push(String(chunk)), done()) }),
      { isTTY: true, columns: 80 }
    )
    const result = await Effect.runPromise(
      Effect.gen(function*() {
        const io = yield* makeNodeShellIo(input, output)
        const started = yield* Deferred.make<void>()
        const fiber = yield* io.readSecret("password: ").pipe(
          Effect.either,
          Effect.fork,
          Effect.tap(() => Deferred.succeed(started, undefined))
        )
        yield* Deferred.await(started)
        yield* io.print("[2026-01-01 10:00:00] bob: hi")
        // eslint-disable-next-line no-control-regex
        expect(written.join("").replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")).toMatch(/bob: hi\npassword: $/)
        yield* Effect.sync(() => input.write("secr\x03"))
        return yield* Fiber.join(fiber)
      }).pipe(Effect.scoped)
    )
    expect(Either.isLeft(result) && result.left._tag).toBe("InputCancelled")
    expect(written.join("")).not.toContain("secr")
  })
})

describe("the shell as a new user meets it", () => {
  let server: RunningServer
  let bob: TestClient
  beforeAll(async () => {
    ({ server, bob } = await startShellFixture("gochat-firstuse-"))
  })
  afterAll(async () => {
    await bob?.dispose()
    await server?.close()
  })

  it("checks what it can before asking for a password, sends texts with apostrophes, explains refusals", async () => {
    const dir = homeWithAlicesKey()
    const shell = await startShell(dir)
    let failures = -1
    try {
      shell.send(`regserver local 127.0.0.1 ${server.port}`)
      shell.send("conn local")
      // each of these must fail at once: the next line is a command, not a password
      shell.send("login nobody")
      shell.send("export nobody")
      shell.send("import alice missing.priv")
      shell.send("recover nobody")
      shell.send("ver")
      await shell.waitFor((o) => o.includes("gochat protocol version 1"))
      const out = shell.output()
      expect(out).toContain("[ERROR] LOGIN: no local account nobody for local")
      expect(out).toContain("[ERROR] EXPORT: no local account nobody for local")
      expect(out).toMatch(/\[ERROR\] IMPORT: .*missing\.priv: no such file/)
      expect(out).toContain("[ERROR] RECOVER: no local account nobody of a deleted server")

      shell.send("import alice alice.priv")
      shell.send("pw-alice")
      shell.send("pw-alice")
      shell.send("login alice")
      shell.send("pw-alice")
      await shell.waitFor((o) => o.includes("[OK] logged in as alice"))
      shell.send("login bob") // already logged in: no password prompt either
      shell.send("reg carol") // neither here (it used to ask twice and generate a key first)
      shell.send("msg bob it's  a test, isn't it")
      await shell.waitFor((o) => o.includes("[OK] message sent correctly"))
      expect(shell.output()).toContain("[ERROR] LOGIN: you are already logged in as alice (use LOGOUT first)")
      expect(shell.output()).toContain("[ERROR] REG: you are already logged in as alice (use LOGOUT first)")
      const got = await bob.waitForEvent((e) => e._tag === "MessageReceived" && e.from === "alice")
      expect(got._tag === "MessageReceived" && got.text).toBe("it's  a test, isn't it")
      shell.send("msg bob --server is down")
      const dashes = await bob.waitForEvent((e) => e._tag === "MessageReceived" && e.from === "alice")
      expect(dashes._tag === "MessageReceived" && dashes.text).toBe("--server is down")

      shell.send("msg carol hi")
      shell.send("admin motd don't")
      await shell.waitFor((o) => o.includes("[ERROR] ADMIN:"))
      expect(shell.output()).toContain("[ERROR] MSG: there is no user carol on this server")
      expect(shell.output()).toContain("[ERROR] ADMIN: your permission level does not allow ADMIN motd (owners only) [ERR_PERMS]")
    } finally {
      failures = await shell.end()
    }
    // login, export, import, recover, login bob, reg carol, msg carol, admin motd: a script's exit status
    expect(failures).toBe(8)
  })

  it("updates the prompt when the server goes away, and says 'not connected' afterwards", async () => {
    const own = await startServer({ db: `sqlite:${path.join(tempDir("gochat-firstuse-gone-"), "server.db")}` })
    const dir = tempDir()
    const shell = await startShell(dir)
    let closed = false
    try {
      shell.send(`conn 127.0.0.1 ${own.port}`)
      await shell.waitForPrompt((p) => p === "gochat() > ")
      await own.close()
      closed = true
      // no line is typed: the prompt changes by itself
      await shell.waitForPrompt((p) => p === "(not connected) gochat() > ")
      shell.send("msg bob hi")
      shell.send("usrs online")
      await shell.waitFor((o) => o.includes("[ERROR] USRS:"))
      expect(shell.output()).toContain("[ERROR] MSG: not connected to a server")
      expect(shell.output()).toContain("[ERROR] USRS: not connected to a server")
    } finally {
      await shell.end()
      if (!closed) await own.close()
    }
  })

  it("says who is already logged in elsewhere (ERR_DUPSESS) and which name is taken (ERR_EXISTS)", async () => {
    const client = await makeTestClient()
    try {
      fs.mkdirSync(client.config.importDir, { recursive: true })
      fs.writeFileSync(path.join(client.config.importDir, "bob.priv"), goldenPem("bob"))
      await client.run(commands.conn({ address: "127.0.0.1", port: server.port }))
      await client.run(commands.importKey({ username: "bob", file: "bob.priv", password: "pw" }))
      const dup = await client.fail(commands.login({ username: "bob", password: "pw" }))
      expect(dup.message).toBe("bob is already logged in from another client [ERR_DUPSESS]")
      const taken = await client.fail(commands.reg({ username: "alice", password: "pw", privateKey: goldenKey("bob") }))
      expect(taken.message).toBe(
        "the name alice is taken on this server (or its key is already registered): choose another name [ERR_EXISTS]"
      )
      // a key LOGIN could not use later is refused before it is registered
      const { privateKey: small } = await Effect.runPromise(generateKeyPair(2048))
      const refused = await client.fail(commands.reg({ username: "small", password: "pw", privateKey: small }))
      expect(refused.message).toContain("this key cannot be used: RSA key is 2048 bits, expected 4096")
    } finally {
      await client.dispose()
    }
  })

  it("stores an address given to CONN only when the connection succeeds; explains TLS on a plain port", async () => {
    const client = await makeTestClient()
    try {
      const refused = await client.fail(commands.conn({ address: "127.0.0.1", port: 1 }))
      expect(refused._tag).toBe("ConnectFailed")
      const insecure = await client.fail(commands.conn({ address: "127.0.0.1", port: server.port, insecure: true }))
      expect(insecure._tag).toBe("UsageError")
      const tlsOnPlain = await client.fail(commands.conn({ address: "127.0.0.1", port: server.port, tls: true, insecure: true }))
      expect(tlsOnPlain.message).toContain("the server does not speak TLS on that port")
      expect(tlsOnPlain.message).not.toContain("\n")
      expect(await client.run(commands.servers())).toEqual([])
      await client.run(commands.conn({ address: "127.0.0.1", port: server.port }))
      expect((await client.run(commands.servers())).map((s) => s.name)).toEqual([`127.0.0.1:${server.port}`])
    } finally {
      await client.dispose()
    }
  })
})
