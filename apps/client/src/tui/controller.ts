/**
 * Runs everything the TUI does that is not drawing: slash commands, sending, the backend's event
 * stream, popups that commands wait on, and the actions behind the list keys. Every backend call
 * runs in a fiber of the given ManagedRuntime; failures become readable lines, never exceptions.
 */
import { Cause, Deferred, Effect, Fiber, type ManagedRuntime, Stream } from "effect"
import type { BackendEvent, TuiBackend } from "./backend.js"
import { complete, type CompletionResult, parse } from "./commands/registry.js"
import type { CommandContext, CommandFailure, SlashCommand } from "./commands/types.js"
import { call, checkUsername, fail } from "./commands/helpers.js"
import type { AppState, Server } from "./state/model.js"
import { LOCAL, LOCAL_DEBUG } from "./state/model.js"
import { type Action, currentBuffer, currentServer, findServer, initialState, systemBufferName } from "./state/reducer.js"
import { Store } from "./state/store.js"

export interface ControllerOptions {
  readonly backend: TuiBackend
  readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  readonly commands: ReadonlyArray<SlashCommand>
  readonly verbose: boolean
  /** Adds the Local "Debug" buffer where `Packet` events go. */
  readonly debugBuffer?: boolean
  readonly now?: () => number
}

export class Controller {
  readonly store: Store
  readonly backend: TuiBackend
  readonly commands: ReadonlyArray<SlashCommand>
  private readonly runtime: ManagedRuntime.ManagedRuntime<never, never>
  private readonly now: () => number
  private readonly fibers = new Set<Fiber.RuntimeFiber<unknown, unknown>>()
  private readonly waiting = new Map<number, Deferred.Deferred<string | boolean | null>>()
  private nextPopup = 1
  private nextBusy = 1
  /** Messages go out one after the other, in the order they were entered; none is dropped. */
  private readonly sendLock = Effect.unsafeMakeSemaphore(1)
  private quitting: (() => void) | null = null
  readonly quitted: Promise<void>
  /** Set by the renderer: clears the terminal and draws again. */
  onRedraw: () => void = () => {}

  constructor(options: ControllerOptions) {
    this.backend = options.backend
    this.runtime = options.runtime
    this.commands = options.commands
    this.now = options.now ?? Date.now
    this.store = new Store(initialState({ verbose: options.verbose, stamp: this.now(), debugBuffer: options.debugBuffer ?? false }))
    this.quitted = new Promise((resolve) => (this.quitting = resolve))
  }

  get state(): AppState {
    return this.store.getState()
  }

  readonly dispatch = (action: Action): void => this.store.dispatch(action)

  /** Runs an effect in the background; it is interrupted when the TUI closes. */
  fork(effect: Effect.Effect<unknown, never>): void {
    const fiber = this.runtime.runFork(effect)
    this.fibers.add(fiber)
    fiber.addObserver(() => this.fibers.delete(fiber))
  }

  /** Loads the stored servers and starts listening to the backend's events. */
  start(): void {
    this.fork(
      this.backend.servers.pipe(
        Effect.tap((servers) => Effect.sync(() => this.dispatch({ _tag: "ServersLoaded", servers, stamp: this.now() }))),
        Effect.catchAll((e) => this.systemLine({ server: LOCAL }, `could not read the stored servers: ${e.message}`))
      )
    )
    this.fork(
      Stream.runForEach(this.backend.events, (event) => Effect.sync(() => this.onEvent(event))).pipe(
        Effect.catchAllCause((cause) => this.systemLine({ server: LOCAL }, `event stream failed: ${Cause.pretty(cause)}`))
      )
    )
  }

  quit(): void {
    this.quitting?.()
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.fibers].map((f) => this.runtime.runPromise(Fiber.interrupt(f))))
  }

  private systemLine(target: { server?: string; buffer?: string }, text: string) {
    return Effect.sync(() => this.dispatch({ _tag: "System", target, text, stamp: this.now() }))
  }

  showError(text: string): void {
    this.dispatch({ _tag: "ShowError", text })
  }

  // -------------------------------------------------------------------------------------------
  // Events

  onEvent(event: BackendEvent): void {
    const stamp = this.now()
    switch (event._tag) {
      case "Message": {
        const server = findServer(this.state, event.server)
        const known = server?.buffers.some((b) => b.name === event.sender) ?? false
        this.dispatch({ _tag: "Received", server: event.server, sender: event.sender, text: event.text, stamp: event.stamp })
        if (!known && server !== undefined && server.user !== null) this.fork(this.fillHistory(event.server, event.sender))
        return
      }
      case "Broadcast":
        return this.dispatch({ _tag: "Broadcast", server: event.server, sender: event.sender, text: event.text, stamp: event.stamp })
      case "UserLogin":
        return this.dispatch({ _tag: "UserLogin", server: event.server, user: event.user, permission: event.permission })
      case "UserLogout":
        return this.dispatch({ _tag: "UserLogout", server: event.server, user: event.user })
      case "PermissionChanged":
        return this.dispatch({ _tag: "PermissionChanged", server: event.server, user: event.user, permission: event.permission, stamp })
      case "DuplicateSession":
        return this.dispatch({ _tag: "DuplicateSession", server: event.server, ip: event.ip, stamp })
      case "Shutdown":
        return this.dispatch({ _tag: "ShutdownScheduled", server: event.server, at: event.at, stamp })
      case "Disconnected":
        return this.dispatch({ _tag: "Disconnected", server: event.server, reason: event.reason, stamp })
      case "KeyChanged":
        return this.dispatch({ _tag: "KeyChanged", server: event.server, user: event.user, change: event.change, stamp })
      case "Packet":
        return this.dispatch({
          _tag: "System",
          target: { server: LOCAL, buffer: LOCAL_DEBUG },
          text: `${event.server}: packet ${event.direction}\n${event.text}`,
          stamp
        })
      case "Notice":
        return this.dispatch({
          _tag: "System",
          target: { server: event.server, buffer: systemBufferName(findServer(this.state, event.server) ?? currentServer(this.state)) },
          text: event.level === "info" ? event.text : `${event.level}: ${event.text}`,
          stamp
        })
    }
  }

  /** Opens (without selecting) the buffer of a conversation, checking the peer's key, with its history. */
  private reopen(server: string, peer: string) {
    return this.backend.openConversation(server, peer).pipe(
      Effect.tap((c) =>
        Effect.sync(() =>
          this.dispatch({ _tag: "OpenBuffer", server, name: peer, history: c.history, keyChange: c.keyChange ?? null, select: false, stamp: this.now() })
        )
      ),
      Effect.catchAll((e) => this.systemLine({ server }, `could not open the conversation with ${peer}: ${e.message}`))
    )
  }

  /** Adds the stored history to a buffer a first message just opened (the core pins the sender's key itself). */
  private fillHistory(server: string, peer: string) {
    return this.backend.history(server, peer).pipe(
      Effect.tap((history) => Effect.sync(() => this.dispatch({ _tag: "OpenBuffer", server, name: peer, history, select: false, stamp: this.now() }))),
      Effect.catchAll((e) => this.systemLine({ server }, `could not load the conversation with ${peer}: ${e.message}`))
    )
  }

  // -------------------------------------------------------------------------------------------
  // Popups and spinners that effects wait on

  private ask(popup: (id: number) => Action): Effect.Effect<string | boolean | null> {
    return Effect.gen(this, function* () {
      const id = this.nextPopup++
      const deferred = yield* Deferred.make<string | boolean | null>()
      this.waiting.set(id, deferred)
      this.dispatch(popup(id))
      return yield* Deferred.await(deferred).pipe(Effect.ensuring(Effect.sync(() => this.waiting.delete(id))))
    })
  }

  prompt(title: string, masked: boolean): Effect.Effect<string, CommandFailure> {
    return this.ask((id) => ({ _tag: "PopupOpen", popup: { _tag: "Prompt", id, title, masked, value: "" } })).pipe(
      Effect.flatMap((v) => (typeof v === "string" ? Effect.succeed(v) : fail("no text has been given")))
    )
  }

  /** A yes/no question; `enter` is the answer Enter gives (No for anything that deletes). */
  confirm(title: string, enter: boolean): Effect.Effect<boolean> {
    return this.ask((id) => ({ _tag: "PopupOpen", popup: { _tag: "Confirm", id, title, enter } })).pipe(Effect.map((v) => v === true))
  }

  /** Closes the front popup with an answer (null: cancelled). */
  answer(value: string | boolean | null): void {
    const popup = this.state.popups[0]
    if (popup === undefined) return
    this.dispatch({ _tag: "PopupClose" })
    if (popup._tag === "Switcher") return
    const deferred = this.waiting.get(popup.id)
    if (deferred !== undefined) Effect.runSync(Deferred.succeed(deferred, value))
  }

  busy<A, E>(label: string, effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    return Effect.acquireUseRelease(
      Effect.sync(() => {
        const id = this.nextBusy++
        this.dispatch({ _tag: "BusyStart", id, label })
        return id
      }),
      () => effect,
      (id) => Effect.sync(() => this.dispatch({ _tag: "BusyEnd", id }))
    )
  }

  // -------------------------------------------------------------------------------------------
  // Input

  /** Enter in the input line: runs a /command or sends a message to the current buffer. */
  submit(line: string): void {
    const text = line.replace(/\s+$/, "")
    if (text.trim() === "") return
    this.dispatch({ _tag: "HistoryPush", line: text })
    const parsed = parse(text, this.commands)
    switch (parsed._tag) {
      case "Empty":
        return this.showError("empty command given")
      case "Unknown":
        return this.showError(`invalid command given: /${parsed.name} (try /help)`)
      case "Invalid":
        return this.dispatch({ _tag: "System", text: `Running /${parsed.command.name}: ${parsed.message}`, stamp: this.now() })
      case "Ok": {
        const ctx = this.context()
        const name = parsed.command.name
        return this.fork(
          parsed.command.run(ctx, parsed.args).pipe(
            Effect.catchAllCause((cause) => {
              const failure = Cause.failureOption(cause)
              const message =
                failure._tag === "Some" ? failure.value.message : Cause.isInterruptedOnly(cause) ? "interrupted" : Cause.pretty(cause)
              return Effect.sync(() => ctx.print(`Running /${name}: ${message}`))
            })
          )
        )
      }
      case "NotCommand":
        return this.send(text)
    }
  }

  private send(text: string): void {
    const server = currentServer(this.state)
    const buffer = currentBuffer(this.state)
    if (buffer.system) return this.showError("performing action on system buffer (Ctrl-K Ctrl-N: new conversation)")
    const stamp = this.now()
    if (server.local) return this.dispatch({ _tag: "Sent", server: server.name, buffer: buffer.name, text, stamp })
    if (server.user === null) return this.showError("you are not logged in")
    // Shown once the server took it (with the stamp it carried, as stored), never before: a
    // message that could not be sent must not look sent. The failure line repeats its text.
    this.fork(
      this.backend.send(server.name, buffer.name, text).pipe(
        Effect.tap((sentStamp) => Effect.sync(() => this.dispatch({ _tag: "Sent", server: server.name, buffer: buffer.name, text, stamp: sentStamp }))),
        Effect.catchAll((e) =>
          this.systemLine({ server: server.name, buffer: buffer.name }, `Running message: failed to send message: ${e.message}\nNot sent: ${text}`)
        ),
        this.sendLock.withPermits(1)
      )
    )
  }

  /** Tab in the input line. */
  complete(line: string): CompletionResult {
    const server = currentServer(this.state)
    const usernames = [...server.users.map((u) => u.name), ...server.buffers.filter((b) => !b.system).map((b) => b.name)].filter(
      (u) => u !== server.user
    )
    return complete(line, this.commands, { usernames })
  }

  context(): CommandContext {
    const server = currentServer(this.state)
    const buffer = currentBuffer(this.state)
    const target = { server: server.name, buffer: buffer.name }
    return {
      backend: this.backend,
      state: () => this.state,
      dispatch: this.dispatch,
      server,
      buffer,
      print: (text) => this.dispatch({ _tag: "System", target, text, stamp: this.now() }),
      detail: (text) => {
        if (this.state.verbose) this.dispatch({ _tag: "System", target, text, stamp: this.now() })
      },
      prompt: (title, masked) => this.prompt(title, masked),
      confirm: (title, enter) => this.confirm(title, enter),
      busy: (label, effect) => this.busy(label, effect),
      commands: this.commands,
      now: this.now,
      afterLogin: (name) => this.afterLogin(name)
    }
  }

  /** Online users, hooks, conversations, then the messages that arrived while away. */
  afterLogin(server: string): Effect.Effect<void> {
    const report = (what: string) => (e: { readonly message: string }) => this.systemLine({ server }, `Running login: ${what}: ${e.message}`)
    return Effect.gen(this, function* () {
      yield* this.backend.onlineUsers(server).pipe(
        Effect.tap((users) => Effect.sync(() => this.dispatch({ _tag: "UsersLoaded", server, users }))),
        Effect.catchAll(report("could not list the online users"))
      )
      if (this.state.verbose) yield* this.systemLine({ server }, "subscribing to relevant events...")
      yield* this.backend.subscribe(server, "all").pipe(Effect.catchAll(report("could not subscribe to hooks")))
      const peers = yield* this.backend.conversations(server).pipe(
        Effect.catchAll((e) => Effect.as(report("could not list the conversations")(e), [] as ReadonlyArray<string>))
      )
      for (const peer of peers) yield* this.reopen(server, peer)
      if (this.state.verbose) yield* this.systemLine({ server }, "recovering messages...")
      yield* this.backend.catchUp(server).pipe(
        Effect.flatMap(({ empty }) =>
          this.systemLine({ server }, empty ? "No new messages have been received" : "Received the messages sent while you were away")
        ),
        Effect.catchAll(report("could not recover messages"))
      )
    })
  }

  // -------------------------------------------------------------------------------------------
  // List actions (Ctrl-K / Ctrl-S then Ctrl-N, Ctrl-W, Ctrl-X)

  /** Runs a list action; afterwards the input line has the focus again. */
  private runAction(what: string, effect: Effect.Effect<void, CommandFailure>): void {
    this.fork(
      effect.pipe(
        Effect.catchAll((e) => Effect.sync(() => this.showError(`${what}: ${e.message}`))),
        Effect.ensuring(Effect.sync(() => this.dispatch({ _tag: "Focus", focus: "input" })))
      )
    )
  }

  newBuffer(): void {
    const server = currentServer(this.state)
    this.runAction(
      "new buffer",
      Effect.gen(this, function* () {
        const raw = (yield* this.prompt(server.local ? "Enter buffer name..." : "Enter the username to talk to...", false)).trim().toLowerCase()
        if (raw === "") return yield* fail("no text has been given")
        if (server.local) {
          if (raw === systemBufferName(server).toLowerCase()) return yield* fail("performing action on system buffer")
          this.dispatch({ _tag: "OpenBuffer", server: server.name, name: raw, select: true, stamp: this.now() })
          return
        }
        yield* this.openConversation(server, raw)
      })
    )
  }

  /** REQ (if needed), history and a selected buffer for a conversation on a remote server. */
  openConversation(server: Server, raw: string): Effect.Effect<void, CommandFailure> {
    return Effect.gen(this, function* () {
      const live = findServer(this.state, server.name) ?? server
      if (live.user === null) return yield* fail("you are not logged in")
      const peer = yield* checkUsername(raw)
      if (peer === live.user) return yield* fail("cannot request to message yourself")
      const conversation = yield* this.busy(`opening the conversation with ${peer}`, call(this.backend.openConversation(server.name, peer)))
      this.dispatch({
        _tag: "OpenBuffer",
        server: server.name,
        name: peer,
        history: conversation.history,
        intro: `This is the beginning of your conversation with ${peer}!`,
        keyChange: conversation.keyChange ?? null,
        select: true,
        stamp: this.now()
      })
    })
  }

  hideBuffer(): void {
    const server = currentServer(this.state)
    const buffer = currentBuffer(this.state)
    if (buffer.system) return this.showError("performing action on system buffer")
    this.dispatch({ _tag: "HideBuffer", server: server.name, name: buffer.name })
  }

  deleteBuffer(): void {
    const server = currentServer(this.state)
    const buffer = currentBuffer(this.state)
    if (buffer.system) return this.showError("performing action on system buffer")
    this.runAction(
      "delete buffer",
      Effect.gen(this, function* () {
        const question = server.local
          ? "Do you want to permanently\ndelete this buffer?"
          : `Close the conversation with ${buffer.name}?\nIts messages are kept; it comes back\nwhen you open it or ${buffer.name} writes.`
        if (!(yield* this.confirm(question, !server.local))) return
        if (!server.local && server.user !== null) yield* call(this.backend.closeConversation(server.name, buffer.name))
        this.dispatch({ _tag: "DeleteBuffer", server: server.name, name: buffer.name })
      })
    )
  }

  newServer(): void {
    this.runAction(
      "new server",
      Effect.gen(this, function* () {
        const name = (yield* this.prompt("Enter server name...", false)).trim()
        if (name === "") return yield* fail("no text has been given")
        if (name === LOCAL) return yield* fail("performing action on local server")
        const existing = findServer(this.state, name)
        if (existing !== undefined) {
          this.dispatch({ _tag: "SelectServer", name })
          return
        }
        const address = (yield* this.prompt("Enter server address and port as 'address:port':", false)).trim()
        const m = /^(.+):(\d{1,5})$/.exec(address)
        const port = m ? Number(m[2]) : 0
        if (m === null || port < 1 || port > 65535) return yield* fail("address of server is not valid")
        const tls = yield* this.confirm("Does this server use TLS?", true)
        const record = { name, address: m[1].replace(/^\[(.*)\]$/, "$1"), port, tls }
        yield* call(this.backend.addServer(record))
        this.dispatch({ _tag: "ServerAdded", server: record, stamp: this.now() })
        this.dispatch({ _tag: "SelectServer", name })
      })
    )
  }

  hideServer(): void {
    const server = currentServer(this.state)
    if (server.local) return this.showError("performing action on local server")
    this.runAction(
      "hide server",
      Effect.gen(this, function* () {
        if (server.connected) yield* call(this.backend.disconnect(server.name))
        this.dispatch({ _tag: "ServerHidden", name: server.name })
      })
    )
  }

  deleteServer(): void {
    const server = currentServer(this.state)
    if (server.local) return this.showError("performing action on local server")
    this.runAction(
      "delete server",
      Effect.gen(this, function* () {
        const sure = yield* this.confirm("Do you want to permanently\ndelete this server?\nAll information about this server will be lost!", false)
        if (!sure) return
        if (server.connected) yield* call(this.backend.disconnect(server.name))
        yield* call(this.backend.deleteServer(server.name))
        this.dispatch({ _tag: "ServerRemoved", name: server.name })
      })
    )
  }
}
