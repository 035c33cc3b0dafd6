/** Renders the TUI over a fake backend and drives it through stdin, like a user would. */
import { Layer, ManagedRuntime } from "effect"
import { render } from "ink-testing-library"
import { COMMANDS } from "../../src/tui/commands/index.js"
import { App } from "../../src/tui/components/App.js"
import { Controller } from "../../src/tui/controller.js"
import type { ServerRecord } from "../../src/tui/backend.js"
import type { Size } from "../../src/tui/hooks/useTerminalSize.js"
import { type FakeBackend, makeFakeBackend } from "./fakeBackend.js"

/** Waits (bounded) until `check` passes; the poll is the synchronisation, not a fixed sleep. */
export const eventually = async (check: () => void, timeoutMs = 8000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      check()
      return
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }
}

export const KEYS = {
  enter: "\r",
  tab: "\t",
  esc: "\x1b",
  up: "\x1b[A",
  down: "\x1b[B",
  altUp: "\x1b[1;3A",
  altDown: "\x1b[1;3B",
  shiftUp: "\x1b[1;2A",
  shiftDown: "\x1b[1;2B",
  pageUp: "\x1b[5~",
  pageDown: "\x1b[6~",
  f1: "\x1bOP",
  backspace: "\x7f",
  home: "\x1b[H",
  ctrl: (letter: string) => String.fromCharCode(letter.toLowerCase().charCodeAt(0) - 96),
  alt: (ch: string) => `\x1b${ch}`
}

export interface Harness {
  readonly backend: FakeBackend
  readonly controller: Controller
  readonly frame: () => string
  readonly type: (...chunks: ReadonlyArray<string>) => Promise<void>
  /** Types a line and Enter. */
  readonly enter: (line: string) => Promise<void>
  readonly waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<string>
  readonly waitGone: (text: string) => Promise<void>
  readonly dispose: () => Promise<void>
}

export const renderTui = async (
  options: {
    readonly servers?: ReadonlyArray<ServerRecord>
    readonly size?: Size
    readonly verbose?: boolean
    readonly debugBuffer?: boolean
    readonly backend?: FakeBackend
  } = {}
): Promise<Harness> => {
  const backend = options.backend ?? makeFakeBackend(options.servers ?? [])
  const runtime = ManagedRuntime.make(Layer.empty)
  const controller = new Controller({
    backend,
    runtime,
    commands: COMMANDS,
    verbose: options.verbose ?? false,
    debugBuffer: options.debugBuffer ?? false
  })
  const size = options.size ?? { columns: 100, rows: 30 }
  const instance = render(<App controller={controller} size={size} />)
  controller.start()
  const frame = () => instance.lastFrame() ?? ""
  const waitFor = async (text: string | RegExp, timeoutMs?: number) => {
    let last = ""
    await eventually(() => {
      last = frame()
      const ok = typeof text === "string" ? last.includes(text) : text.test(last)
      if (!ok) throw new Error(`timed out waiting for ${String(text)} in frame:\n${last}`)
    }, timeoutMs)
    return last
  }
  const type = async (...chunks: ReadonlyArray<string>) => {
    for (const chunk of chunks) {
      instance.stdin.write(chunk)
      // Let Ink read the chunk and React commit before the next one.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  // The first frame, with the Local server's welcome, is drawn once the app is mounted.
  await waitFor("Welcome to gochat!")
  return {
    backend,
    controller,
    frame,
    type,
    enter: (line) => type(line, KEYS.enter),
    waitFor,
    waitGone: (text) =>
      eventually(() => {
        if (frame().includes(text)) throw new Error(`still showing ${text}:\n${frame()}`)
      }),
    dispose: async () => {
      instance.unmount()
      instance.cleanup()
      await controller.dispose()
      await runtime.dispose()
    }
  }
}

/** The remote server most tests use (the fake backend knows it by name only). */
export const SERVER: ServerRecord = { name: "test", address: "127.0.0.1", port: 9037, tls: false }

/** Connects to `test`, registers and logs in `alice` through the popups. */
export const loginAlice = async (h: Harness) => {
  await h.type(KEYS.shiftDown)
  await h.waitFor("test / Default")
  await h.enter("/connect")
  await h.waitFor("Welcome to the test server")
  await h.enter("/register alice")
  await h.waitFor("Enter a password...")
  await h.type("secret")
  await h.waitFor("******")
  await h.type(KEYS.enter)
  await h.waitFor("Repeat your password...")
  await h.type("secret", KEYS.enter)
  await h.waitFor("successfully registered")
  await h.enter("/login alice")
  await h.waitFor("Enter the password of alice...")
  await h.type("secret", KEYS.enter)
  await h.waitFor("(alice) >")
}

