/**
 * The command grammar, defined once with @effect/cli. The same subcommands serve each shell
 * line (`MSG bob hi`) and one-shot use from the system shell
 * (`gochat-client msg --server local --user alice bob "hi"`): commands that need a connection
 * or a login accept --server / --user / --password-file / --insecure and do it first.
 */
import { Args, Command, Options } from "@effect/cli"
import { Context, Data, Effect, Option, SubscriptionRef } from "effect"
import * as fs from "node:fs"
import { Client } from "../core/Client.js"
import * as commands from "../core/commands/index.js"
import { ClientConfig } from "../core/Config.js"
import { AlreadyLoggedIn, type CommandError, UsageError } from "../core/errors.js"
import { serverLabel } from "../core/Store.js"
import { failure, formatStamp, info, levelName, ok } from "./format.js"
import { help, helpText } from "./help.js"
import { ShellIo } from "./ShellIo.js"

const cancelled = () => new UsageError({ reason: "cancelled (Ctrl-C)" })

/** Whether commands run inside the interactive shell or once from the system shell. */
export class ShellMode extends Context.Tag("client/shell/ShellMode")<ShellMode, { readonly interactive: boolean }>() {}

/** A command failed and its error was already printed. */
export class CommandFailed extends Data.TaggedError("CommandFailed")<{ readonly command: string }> {}

const print = (text: string) => Effect.flatMap(ShellIo, (io) => io.print(text))

/** Run a command body: print its error as one `[ERROR] NAME: ...` line. */
const run = <A, R>(name: string, body: Effect.Effect<A, CommandError, R>) =>
  body.pipe(
    Effect.catchAll((e) => Effect.zipRight(print(failure(name, e.message)), Effect.fail(new CommandFailed({ command: name })))),
    Effect.asVoid
  )

// ---- passwords -----------------------------------------------------------------------------

const readPasswordFile = (file: string) =>
  Effect.try({
    try: () => fs.readFileSync(file, "utf8").split(/\r?\n/)[0] ?? "",
    catch: (e) => new UsageError({ reason: `cannot read the password file ${file}: ${(e as Error).message}` })
  })

/** A password: from --password-file, else a hidden prompt (TTY) or the next stdin line. */
export const askPassword = (prompt: string, passwordFile: Option.Option<string>) =>
  Option.match(passwordFile, {
    onSome: readPasswordFile,
    onNone: () =>
      Effect.flatMap(ShellIo, (io) => io.readSecret(prompt)).pipe(
        Effect.mapError(cancelled),
        Effect.flatMap((pw) =>
          pw === undefined
            ? Effect.fail(new UsageError({ reason: "no password given: input ended (use --password-file when scripting)" }))
            : Effect.succeed(pw)
        )
      )
  })

/** A new password, asked twice unless it comes from a file. */
const askNewPassword = (passwordFile: Option.Option<string>) =>
  Effect.gen(function*() {
    const first = yield* askPassword("password: ", passwordFile)
    if (Option.isSome(passwordFile)) return first
    const again = yield* askPassword("repeat password: ", passwordFile)
    if (first !== again) return yield* new UsageError({ reason: "the passwords do not match" })
    return first
  })

// ---- connection and login on demand ----------------------------------------------------------

const remoteOptions = {
  server: Options.text("server").pipe(
    Options.withDescription("Connect to this stored server first (for one-shot use)."),
    Options.optional
  ),
  user: Options.text("user").pipe(Options.withDescription("Log in as this local account first."), Options.optional),
  passwordFile: Options.text("password-file").pipe(
    Options.withDescription("Read the password from the first line of this file instead of asking."),
    Options.optional
  ),
  insecure: Options.boolean("insecure").pipe(Options.withDescription("Do not verify the server's TLS certificate."))
}
type RemoteOptions = {
  readonly server: Option.Option<string>
  readonly user: Option.Option<string>
  readonly passwordFile: Option.Option<string>
  readonly insecure: boolean
}

/** `home - 127.0.0.1:9037`, or just `127.0.0.1:9037` for a server named after its address. */
const label = (s: commands.ConnResult["server"]) => (s.name === `${s.address}:${s.port}` ? s.name : serverLabel(s))

const printConnected = (r: commands.ConnResult) =>
  Effect.zipRight(
    print(ok(`connected to ${label(r.server)}${r.server.tls ? " over TLS" : ""}`)),
    r.motd.length > 0 ? print(info(`server MOTD (message of the day):\n${r.motd}`)) : Effect.void
  )

const ensureConnected = (o: RemoteOptions) =>
  Effect.gen(function*() {
    const client = yield* Client
    const st = yield* SubscriptionRef.get(client.state)
    if (st.connection === "connected") return
    const mode = yield* ShellMode
    const config = yield* ClientConfig
    if (Option.isSome(o.server)) {
      return yield* printConnected(yield* commands.conn({ server: o.server.value, ...(o.insecure ? { insecure: true } : {}) }))
    }
    if (!mode.interactive) {
      const s = config.shellServer
      if (s === undefined) {
        return yield* new UsageError({ reason: "not connected: give --server <name> (see SERVERS) or set shell_server in config.json" })
      }
      return yield* printConnected(yield* commands.conn({
        address: s.address,
        port: s.port,
        tls: s.tls,
        ...(o.insecure || (s.tls && !s.verifyTls) ? { insecure: true } : {})
      }))
    }
  })

const printLogin = (r: commands.LoginResult) =>
  Effect.zipRight(
    print(ok(r.usedToken ? `logged in as ${r.username} with a reusable token` : `logged in as ${r.username}`)),
    print(info(`permission level ${levelName(r.permission)}`))
  )

/** `catchUp: false` logs in without fetching offline messages (RECIV fetches them itself). */
const ensureLoggedIn = (o: RemoteOptions, login: { readonly catchUp?: boolean } = {}) =>
  Effect.gen(function*() {
    const client = yield* Client
    const mode = yield* ShellMode
    if (!mode.interactive && Option.isNone(o.user) && (yield* client.currentSession) === undefined) {
      return yield* new UsageError({ reason: "not logged in: give --user <name>" })
    }
    yield* ensureConnected(o)
    const session = yield* client.currentSession
    if (session !== undefined) {
      if (Option.isSome(o.user) && o.user.value.toLowerCase() !== session.account.username) {
        return yield* new UsageError({ reason: `already logged in as ${session.account.username} (LOGOUT first)` })
      }
      return
    }
    if (Option.isSome(o.user)) {
      yield* commands.loginCheck(o.user.value)
      const password = yield* askPassword(`${o.user.value}'s password: `, o.passwordFile)
      return yield* printLogin(yield* commands.login({ username: o.user.value, password, ...login }))
    }
  })

// ---- the commands ------------------------------------------------------------------------------

const described = <C extends Command.Command<any, any, any, any>>(name: string, command: C): C =>
  Command.withDescription(command, help(name)?.summary ?? "") as C

const username = Args.text({ name: "username" })

const conn = described("conn", Command.make("conn", {
  target: Args.text({ name: "server|address" }).pipe(Args.optional),
  port: Args.integer({ name: "port" }).pipe(Args.optional),
  tls: Options.boolean("tls").pipe(Options.withDescription("Use TLS (for an address not stored yet).")),
  insecure: remoteOptions.insecure,
  noverify: Options.boolean("noverify").pipe(Options.withDescription("Same as --insecure (the original's flag name).")),
  ca: Options.text("ca").pipe(Options.withDescription("Also trust this CA certificate file (PEM)."), Options.optional),
  noKeep: Options.boolean("no-keep").pipe(Options.withDescription("Do not send KEEP packets."))
}, (a) =>
  run("conn", Effect.gen(function*() {
    const config = yield* ClientConfig
    const insecure = a.insecure || a.noverify
    const caFile = Option.getOrUndefined(a.ca)
    const ca = caFile !== undefined
      ? yield* Effect.try({
        try: () => fs.readFileSync(caFile, "utf8"),
        catch: (e) => new UsageError({ reason: `cannot read the CA file ${caFile}: ${(e as Error).message}` })
      })
      : undefined
    const common = {
      ...(insecure ? { insecure: true } : {}),
      ...(ca !== undefined ? { ca } : {}),
      ...(a.noKeep ? { keepAlive: false as const } : {})
    }
    let input: commands.ConnInput
    if (Option.isSome(a.target) && Option.isSome(a.port)) {
      input = { address: a.target.value, port: a.port.value, ...(a.tls ? { tls: true } : {}), ...common }
    } else if (Option.isSome(a.target)) {
      input = { server: a.target.value, ...(a.tls ? { tls: true } : {}), ...common }
    } else if (config.shellServer !== undefined) {
      const s = config.shellServer
      input = { address: s.address, port: s.port, tls: s.tls, ...common, ...(s.tls && !s.verifyTls ? { insecure: true } : {}) }
    } else {
      return yield* new UsageError({ reason: "usage: CONN <server> | CONN <address> <port> [--tls] [--insecure]" })
    }
    yield* printConnected(yield* commands.conn(input))
  }))))

const discn = described("discn", Command.make("discn", {}, () =>
  run("discn", Effect.zipRight(commands.discn(), print(ok("disconnected from the server"))))))

const reg = described("reg", Command.make("reg", {
  username: username.pipe(Args.optional),
  ...remoteOptions
}, (a) =>
  run("reg", Effect.gen(function*() {
    yield* ensureConnected(a)
    const client = yield* Client
    yield* client.server
    const io = yield* ShellIo
    const current = yield* client.currentSession
    if (current !== undefined) return yield* new AlreadyLoggedIn({ username: current.account.username })
    const name = Option.isSome(a.username) ? a.username.value : yield* io.readLine("username: ").pipe(Effect.mapError(cancelled))
    if (name === undefined || name.trim() === "") return yield* new UsageError({ reason: "the username cannot be empty" })
    yield* commands.regCheck(name)
    const password = yield* askNewPassword(a.passwordFile)
    yield* print("[...] generating an RSA-4096 key pair and registering...")
    const r = yield* commands.reg({ username: name, password })
    yield* print(ok(`local user ${r.username} successfully added to the database (key ${r.fingerprint})`))
  }))))

const login = described("login", Command.make("login", {
  username,
  noCatchup: Options.boolean("no-catchup").pipe(Options.withDescription("Do not fetch offline messages.")),
  server: remoteOptions.server,
  passwordFile: remoteOptions.passwordFile,
  insecure: remoteOptions.insecure
}, (a) =>
  run("login", Effect.gen(function*() {
    yield* ensureConnected({ ...a, user: Option.none() })
    const client = yield* Client
    yield* commands.loginCheck(a.username)
    const password = yield* askPassword(`${a.username}'s password: `, a.passwordFile)
    yield* printLogin(yield* commands.login({ username: a.username, password, catchUp: !a.noCatchup }))
  }))))

const logout = described("logout", Command.make("logout", {}, () =>
  run("logout", Effect.map(commands.logout(), (r) => r).pipe(Effect.flatMap((r) => print(ok(`${r.username} logged out`)))))))

const dereg = described("dereg", Command.make("dereg", { ...remoteOptions }, (a) =>
  run("dereg", Effect.gen(function*() {
    yield* ensureLoggedIn(a)
    const client = yield* Client
    const session = yield* client.session
    const password = yield* askPassword(`${session.account.username}'s password: `, a.passwordFile)
    const r = yield* commands.dereg({ password })
    yield* print(ok(`user ${r.username} deregistered; the name cannot be registered again`))
  }))))

const req = described("req", Command.make("req", { username, ...remoteOptions }, (a) =>
  run("req", Effect.gen(function*() {
    yield* ensureLoggedIn(a)
    const r = yield* commands.req({ username: a.username })
    switch (r.status) {
      case "pinned":
        return yield* print(ok(`external user ${r.username} added; key ${r.fingerprint} pinned (permission level ${levelName(r.permission)})`))
      case "unchanged":
        return yield* print(ok(`external user ${r.username}: key unchanged (${r.fingerprint}), permission level ${levelName(r.permission)}`))
      case "changed":
        return yield* print(
          `[WARN] the public key of ${r.username} CHANGED\n` +
            `  pinned:  ${r.pinnedFingerprint}\n` +
            `  offered: ${r.fingerprint}\n` +
            `Messages to ${r.username} are refused until you verify the new fingerprint with them and run TRUST ${r.username}.`
        )
    }
  }))))

const usrs = described("usrs", Command.make("usrs", {
  what: Args.text({ name: "online|all|local|requested" }).pipe(Args.repeated),
  perms: Options.boolean("perms").pipe(Options.withDescription("Show permission levels (online/all).")),
  ...remoteOptions
}, (a) =>
  run("usrs", Effect.gen(function*() {
    const words = a.what.map((w) => w.toLowerCase())
    const perms = a.perms || words.includes("-perms") || words.includes("perms")
    const key = words.filter((w) => w !== "-perms" && w !== "perms").join(" ")
    let kind: commands.UsrsKind
    switch (key) {
      case "online":
      case "remote online":
        kind = { scope: "remote", which: "online", perms }
        break
      case "all":
      case "remote all":
        kind = { scope: "remote", which: "all", perms }
        break
      case "local server":
      case "local":
        kind = { scope: "local-server" }
        break
      case "local all":
        kind = { scope: "local-all" }
        break
      case "requested":
        kind = { scope: "requested" }
        break
      default:
        return yield* new UsageError({ reason: "usage: USRS online|all [--perms] | USRS local server|local all | USRS requested" })
    }
    if (kind.scope === "remote") yield* ensureLoggedIn(a)
    else if (kind.scope === "local-server") yield* ensureConnected(a)
    const r: commands.UsrsResult = yield* commands.usrs(kind)
    const lines = r.users.map((u) =>
      `${u.name}${u.permission !== undefined ? ` ${u.permission}` : ""}${u.detail !== undefined ? ` (${u.detail})` : ""}`
    )
    yield* print(`${r.title}:${lines.length === 0 ? " (none)" : "\n" + lines.join("\n")}`)
  }))))

const msg = described("msg", Command.make("msg", {
  to: Args.text({ name: "username" }),
  text: Args.text({ name: "text" }).pipe(Args.repeated),
  ...remoteOptions
}, (a) =>
  run("msg", Effect.gen(function*() {
    if (a.text.length === 0) return yield* new UsageError({ reason: "usage: MSG <username> <text...>" })
    yield* ensureLoggedIn(a)
    const r = yield* commands.msg({ to: a.to, text: a.text.join(" ") })
    yield* print(ok(r.parts === 1 ? "message sent correctly" : `message sent correctly (in ${r.parts} parts)`))
  }))))

const reciv = described("reciv", Command.make("reciv", { ...remoteOptions }, (a) =>
  run("reciv", Effect.gen(function*() {
    // logging in here fetches nothing: the offline messages are what this RECIV receives
    yield* ensureLoggedIn(a, { catchUp: false })
    const r = yield* commands.reciv()
    yield* print(r.empty ? info("no new messages") : ok("messages queried correctly"))
  }))))

const subCommand = (name: "sub" | "unsub") =>
  described(name, Command.make(name, { hook: Args.text({ name: "hook" }), ...remoteOptions }, (a) =>
    run(name, Effect.gen(function*() {
      yield* ensureLoggedIn(a)
      const r = yield* commands.sub({ hook: a.hook, subscribe: name === "sub" })
      yield* print(ok(r.subscribed ? `subscribed to ${r.hook}` : `unsubscribed from ${r.hook}`))
    }))))

const admin = described("admin", Command.make("admin", {
  op: Args.text({ name: "operation" }),
  args: Args.text({ name: "args" }).pipe(Args.repeated),
  ...remoteOptions
}, (a) =>
  run("admin", Effect.gen(function*() {
    yield* ensureLoggedIn(a)
    const r = yield* commands.admin({ op: a.op, args: a.args })
    yield* print(ok(`admin operation ${r.op} done`))
  }))))

const perms = described("perms", Command.make("perms", { username, ...remoteOptions }, (a) =>
  run("perms", Effect.gen(function*() {
    yield* ensureLoggedIn(a)
    const r = yield* commands.perms({ username: a.username })
    yield* print(`${r.username}: permission level ${levelName(r.permission)}`)
  }))))

const serverOption = Options.text("server").pipe(
  Options.withDescription("The stored server the account belongs to (default: the connected one)."),
  Options.optional
)
const passwordFileOption = remoteOptions.passwordFile

const importCommand = described("import", Command.make("import", {
  username,
  file: Args.text({ name: "file" }),
  server: serverOption,
  passwordFile: passwordFileOption
}, (a) =>
  run("import", Effect.gen(function*() {
    const server = Option.getOrUndefined(a.server)
    yield* commands.importCheck({ username: a.username, file: a.file, ...(server !== undefined ? { server } : {}) })
    const password = yield* askNewPassword(a.passwordFile)
    const r = yield* commands.importKey({
      username: a.username,
      file: a.file,
      password,
      ...(Option.isSome(a.server) ? { server: a.server.value } : {})
    })
    yield* print(ok(`local user ${r.username} successfully added for ${r.server} from ${r.file} (key ${r.fingerprint})`))
  }))))

const exportCommand = described("export", Command.make("export", {
  username,
  server: serverOption,
  passwordFile: passwordFileOption
}, (a) =>
  run("export", Effect.gen(function*() {
    const server = Option.getOrUndefined(a.server)
    yield* commands.exportCheck({ username: a.username, ...(server !== undefined ? { server } : {}) })
    const password = yield* askPassword(`${a.username}'s password: `, a.passwordFile)
    const r = yield* commands.exportKey({ username: a.username, password, ...(Option.isSome(a.server) ? { server: a.server.value } : {}) })
    yield* print(ok(`private key written to ${r.file} (keep it secret)`))
  }))))

const recover = described("recover", Command.make("recover", {
  username,
  cleanup: Options.boolean("cleanup").pipe(Options.withDescription("Delete the account from the local database afterwards.")),
  passwordFile: passwordFileOption
}, (a) =>
  run("recover", Effect.gen(function*() {
    yield* commands.recoverCheck(a.username)
    const password = yield* askPassword(`${a.username}'s password: `, a.passwordFile)
    const r = yield* commands.recover({ username: a.username, password, cleanup: a.cleanup })
    yield* print(ok(`private key written to ${r.keyFile}`))
    yield* print(r.messagesFile === undefined ? info("no messages to export") : ok(`messages written to ${r.messagesFile}`))
    if (r.deleted) yield* print(ok(`deleted ${r.username} from the local database`))
  }))))

const regserver = described("regserver", Command.make("regserver", {
  name: Args.text({ name: "name" }),
  address: Args.text({ name: "address" }),
  port: Args.integer({ name: "port" }),
  tls: Options.boolean("tls").pipe(Options.withDescription("The server talks TLS on that port.")),
  insecure: Options.boolean("insecure").pipe(Options.withDescription("Do not verify its certificate."))
}, (a) =>
  run("regserver", Effect.gen(function*() {
    const s = yield* commands.regserver({ name: a.name, address: a.address, port: a.port, tls: a.tls, verifyTls: !a.insecure })
    yield* print(ok(`server ${s.name} (${s.address}:${s.port}${s.tls ? ", TLS" : ""}) registered`))
  }))))

const delserver = described("delserver", Command.make("delserver", { name: Args.text({ name: "name" }) }, (a) =>
  run("delserver", Effect.gen(function*() {
    const s = yield* commands.delserver({ name: a.name })
    yield* print(ok(`server ${s.name} deleted (its local accounts remain: see RECOVER)`))
  }))))

const serversCommand = described("servers", Command.make("servers", {}, () =>
  run("servers", Effect.gen(function*() {
    const list = yield* commands.servers()
    const lines = list.map((s) => `- ${s.name} (${s.address}:${s.port}${s.tls ? ", TLS" : ""})`)
    yield* print(`all servers:${lines.length === 0 ? " (none)" : "\n" + lines.join("\n")}`)
  }))))

const serverconfig = described("serverconfig", Command.make("serverconfig", { name: Args.text({ name: "name" }) }, (a) =>
  run("serverconfig", Effect.gen(function*() {
    const fields = yield* commands.serverconfig({ name: a.name })
    yield* print(`settings of ${a.name}:\n${fields.map((f) => `${f.field} = ${f.value}`).join("\n")}`)
  }))))

const setserver = described("setserver", Command.make("setserver", {
  name: Args.text({ name: "name" }),
  field: Args.text({ name: "setting" }),
  value: Args.text({ name: "value" }).pipe(Args.repeated)
}, (a) =>
  run("setserver", Effect.gen(function*() {
    const r = yield* commands.setserver({ name: a.name, field: a.field, value: a.value.join(" ") })
    yield* print(ok(`${r.field} of ${r.name} set to ${r.value}`))
  }))))

const ver = described("ver", Command.make("ver", {}, () =>
  run("ver", Effect.gen(function*() {
    const v = yield* commands.ver()
    yield* print(`gochat protocol version ${v.protocol}\ngochat client version ${v.client}`)
  }))))

const verboseCommand = described("verbose", Command.make("verbose", {
  state: Args.choice([["on", true], ["off", false]], { name: "on|off" }).pipe(Args.optional)
}, (a) =>
  run("verbose", Effect.gen(function*() {
    const r = yield* commands.verbose(Option.isSome(a.state) ? { on: a.state.value } : {})
    yield* print(r.verbose ? "verbose mode on" : "verbose mode off")
  }))))

const trust = described("trust", Command.make("trust", { username, server: serverOption }, (a) =>
  run("trust", Effect.gen(function*() {
    const r = yield* commands.trust({ username: a.username, ...(Option.isSome(a.server) ? { server: a.server.value } : {}) })
    yield* print(ok(`new key of ${r.username} trusted: ${r.accepted} (was ${r.previous})`))
  }))))

const fingerprintCommand = described("fingerprint", Command.make("fingerprint", {
  username: username.pipe(Args.optional),
  ...remoteOptions
}, (a) =>
  run("fingerprint", Effect.gen(function*() {
    if (Option.isNone(a.username) || Option.isSome(a.user)) yield* ensureLoggedIn(a)
    else yield* ensureConnected(a)
    const r = yield* commands.fingerprintOf(Option.isSome(a.username) ? { username: a.username.value } : {})
    yield* print(`${r.username}: ${r.fingerprint}${r.firstSeen !== undefined ? ` (pinned ${formatStamp(r.firstSeen)})` : ""}`)
    if (r.pending !== undefined) yield* print(`[WARN] a different key is waiting for TRUST ${r.username}: ${r.pending}`)
  }))))

const historyCommand = described("history", Command.make("history", {
  username,
  limit: Options.integer("limit").pipe(Options.withDescription("How many of the last messages."), Options.withDefault(20)),
  ...remoteOptions
}, (a) =>
  run("history", Effect.gen(function*() {
    yield* ensureLoggedIn(a)
    const client = yield* Client
    const session = yield* client.session
    const list = yield* commands.history({ username: a.username, limit: a.limit })
    const lines = list.map((m) => `[${formatStamp(m.stamp)}] ${m.direction === "in" ? m.peer : session.account.username}: ${m.text}`)
    yield* print(lines.length === 0 ? `no messages with ${a.username}` : lines.join("\n"))
  }))))

const helpCommand = Command.make("help", { command: Args.text({ name: "command" }).pipe(Args.optional) }, (a) =>
  run("help", Effect.gen(function*() {
    const text = helpText(Option.getOrUndefined(a.command))
    if (text === undefined) return yield* new UsageError({ reason: `no command named ${Option.getOrElse(a.command, () => "")} (type HELP)` })
    yield* print(text)
  }))).pipe(Command.withDescription("Show every command, or one command in detail."))

/** Every subcommand, in HELP order. */
export const subcommands = [
  conn,
  discn,
  reg,
  login,
  logout,
  dereg,
  req,
  usrs,
  msg,
  reciv,
  subCommand("sub"),
  subCommand("unsub"),
  admin,
  perms,
  importCommand,
  exportCommand,
  recover,
  regserver,
  delserver,
  serversCommand,
  serverconfig,
  setserver,
  trust,
  fingerprintCommand,
  historyCommand,
  ver,
  verboseCommand,
  helpCommand
] as const

/** The grammar of one shell line: `gochat <subcommand> ...`. */
export const lineCommand = Command.make("gochat").pipe(Command.withSubcommands(subcommands))
