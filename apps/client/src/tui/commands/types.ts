/**
 * A slash command is data: its name, its arguments, its help and what it runs. The registry
 * (registry.ts) parses input lines against these descriptions and completes them.
 */
import { Data, type Effect } from "effect"
import type { TuiBackend } from "../backend.js"
import type { AppState, Buffer, Server } from "../state/model.js"
import type { Action } from "../state/reducer.js"

export class CommandFailure extends Data.TaggedError("tui/CommandFailure")<{ readonly message: string }> {}

/** What Tab offers for an argument. */
export type Completion = "username" | "command" | ReadonlyArray<string>

export interface ArgSpec {
  readonly name: string
  readonly optional?: boolean
  /** Takes the rest of the line, spaces included. */
  readonly rest?: boolean
  /** Shown as `<a|b>` in the usage when set and no name override is wanted. */
  readonly complete?: Completion
}

export interface CommandArgs {
  readonly positional: ReadonlyArray<string>
  readonly flags: ReadonlySet<string>
}

export interface CommandContext {
  readonly backend: TuiBackend
  readonly state: () => AppState
  readonly dispatch: (action: Action) => void
  /** The server and buffer the command was typed in. */
  readonly server: Server
  readonly buffer: Buffer
  /** A system line in the buffer the command was typed in. */
  readonly print: (text: string) => void
  /** A system line shown only in verbose mode. */
  readonly detail: (text: string) => void
  /** Asks for a line in a popup; Esc fails with "no text has been given". */
  readonly prompt: (title: string, masked: boolean) => Effect.Effect<string, CommandFailure>
  /** Asks yes/no in a popup. */
  /** A yes/no question; `enter` is what Enter answers (false for anything that deletes). */
  readonly confirm: (title: string, enter: boolean) => Effect.Effect<boolean>
  /** Shows a spinner with `label` while `effect` runs. */
  readonly busy: <A, E>(label: string, effect: Effect.Effect<A, E>) => Effect.Effect<A, E>
  readonly commands: ReadonlyArray<SlashCommand>
  readonly now: () => number
  /** Runs what follows a successful login (users, catch-up, hooks, conversations). */
  readonly afterLogin: (server: string) => Effect.Effect<void>
}

export interface SlashCommand {
  readonly name: string
  readonly args: ReadonlyArray<ArgSpec>
  /** Flags the command understands, e.g. `-noverify`; they may appear anywhere after the name. */
  readonly flags?: ReadonlyArray<string>
  /** One line for the command list. */
  readonly summary: string
  /** Longer explanation for `/help <command>`. */
  readonly help: string
  readonly run: (ctx: CommandContext, args: CommandArgs) => Effect.Effect<void, CommandFailure>
}
