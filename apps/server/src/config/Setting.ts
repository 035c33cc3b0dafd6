/**
 * The machinery behind every server setting: a value type (how to read it from a flag's or an environment
 * variable's text and from a JSON value in server.json, and what a valid value looks like), the setting
 * (its file key, flag, variable, default and one-line doc) and where a value came from, so that a bad value
 * is one line naming its source and what would be accepted:
 *
 *   --port: expected an integer port from 0 to 65535, got "70000"
 *   environment variable GOCHAT_PORT: expected an integer port from 0 to 65535, got "abc"
 *   /srv/gochat/server.json: server.port: expected an integer port from 0 to 65535, got "abc"
 *
 * The settings themselves are the table in ServerConfig.ts.
 */
import { Either, Option, Schema } from "effect"

// ---------------------------------------------------------------------------------------------
// Value types

export interface ValueType<A> {
  /** What a valid value looks like, completing "expected ...". */
  readonly expected: string
  /** The value in `--help`: `<port>`, `<n>`, `<text>`. */
  readonly placeholder: string
  /** Decodes the text of a flag or an environment variable. */
  readonly fromText: (text: string) => Option.Option<A>
  /** Decodes a value of the config file (or a typed programmatic override). */
  readonly fromJson: (json: unknown) => Option.Option<A>
}

const fromSchema = <A>(
  expected: string,
  placeholder: string,
  schema: Schema.Schema<A, any>,
  parseText: (text: string) => unknown
): ValueType<A> => {
  const decode = Schema.decodeUnknownOption(schema)
  return { expected, placeholder, fromJson: decode, fromText: (text) => decode(parseText(text)) }
}

const integerText = (text: string): unknown => (/^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : text)

/** An integer between `min` and `max` (inclusive); `expected` describes it for error messages. */
export const integer = (min: number, max: number, expected = `an integer from ${min} to ${max}`, placeholder = "<n>"): ValueType<number> =>
  fromSchema(expected, placeholder, Schema.Int.pipe(Schema.between(min, max)), integerText)

export const port: ValueType<number> = integer(0, 65535, "an integer port from 0 to 65535", "<port>")
export const positive = (what: string): ValueType<number> => integer(1, Number.MAX_SAFE_INTEGER, `a positive integer (${what})`)
export const nonNegative = (what: string): ValueType<number> => integer(0, Number.MAX_SAFE_INTEGER, `an integer >= 0 (${what})`)

/** Any string, the empty one included. */
export const text: ValueType<string> = fromSchema("a string", "<text>", Schema.String, (t) => t)

/** A non-empty string. */
export const nonEmpty = (what: string, placeholder = "<text>"): ValueType<string> =>
  fromSchema(`a non-empty string (${what})`, placeholder, Schema.String.pipe(Schema.minLength(1)), (t) => t)

/** One of a few words, case-insensitive; decoded to the spelling given here. */
export const oneOf = <const W extends string>(words: ReadonlyArray<W>, placeholder = `<${words.join("|")}>`): ValueType<W> => {
  const find = (u: unknown) =>
    Option.fromNullable(typeof u === "string" ? words.find((w) => w.toLowerCase() === u.toLowerCase()) : undefined)
  return { expected: `one of ${words.join(", ")}`, placeholder, fromJson: find, fromText: find }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, on: true, off: false, 1: true, 0: false }
export const boolean: ValueType<boolean> = {
  expected: "true or false",
  placeholder: "<true|false>",
  fromJson: (u) => (typeof u === "boolean" ? Option.some(u) : Option.none()),
  fromText: (t) => Option.fromNullable(BOOLEAN_WORDS[t.trim().toLowerCase()])
}

/** Narrows a type with an extra rule; `expected` replaces the base type's description. */
export const refine = <A>(base: ValueType<A>, expected: string, ok: (a: A) => boolean): ValueType<A> => ({
  ...base,
  expected,
  fromJson: (u) => Option.filter(base.fromJson(u), ok),
  fromText: (t) => Option.filter(base.fromText(t), ok)
})

// ---------------------------------------------------------------------------------------------
// Settings and sources

export interface Setting<A> {
  /** The key in server.json, dotted: `server.port`. */
  readonly key: string
  /** The long flag without dashes (`port` for --port), if the setting has one. */
  readonly flag?: string
  /** The environment variable, if the setting has one. */
  readonly env?: string
  readonly type: ValueType<A>
  /** The default as help shows it (the value itself is applied where the setting is resolved). */
  readonly shownDefault?: string
  /** One line: what it does. */
  readonly doc: string
}

export type Source =
  | { readonly _tag: "Flag"; readonly flag: string }
  | { readonly _tag: "Env"; readonly env: string }
  | { readonly _tag: "File"; readonly file: string; readonly key: string }
  | { readonly _tag: "Option"; readonly name: string }

/** The source as an error message starts: `--port`, `environment variable GOCHAT_PORT`, `server.json: server.port`. */
export const describeSource = (s: Source): string => {
  switch (s._tag) {
    case "Flag":
      return `--${s.flag}`
    case "Env":
      return `environment variable ${s.env}`
    case "File":
      return `${s.file}: ${s.key}`
    case "Option":
      return `startServer option ${s.name}`
  }
}

/** Every place a setting can be given: `--tls-cert, GOCHAT_TLS_CERT or server.tls.cert_file`. */
export const describePlaces = (s: Setting<unknown>): string => {
  const places = [...(s.flag ? [`--${s.flag}`] : []), ...(s.env ? [s.env] : []), s.key]
  return places.length === 1 ? places[0] : `${places.slice(0, -1).join(", ")} or ${places.at(-1)}`
}

const show = (u: unknown): string => {
  if (typeof u === "string") return JSON.stringify(u)
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/** `<source>: expected <type>, got <value>` */
export const invalidValue = (source: Source, type: ValueType<unknown>, raw: unknown): string =>
  `${describeSource(source)}: expected ${type.expected}, got ${show(raw)}`

/** A value given for a setting, not yet decoded, with where it came from. */
export interface Given {
  readonly raw: unknown
  readonly source: Source
  /** Text (flag, variable) or a JSON/typed value (file, option). */
  readonly isText: boolean
}

export interface Picked<A> {
  readonly value: A
  readonly source: Source | undefined
}

/** Decodes the first given value (highest precedence first), or the default; a bad value names its source. */
export const pick = <A>(setting: Setting<A>, given: ReadonlyArray<Given | undefined>, fallback: A): Either.Either<Picked<A>, string> => {
  const first = given.find((g): g is Given => g !== undefined)
  if (first === undefined) return Either.right({ value: fallback, source: undefined })
  const decoded = first.isText
    ? setting.type.fromText(String(first.raw))
    : setting.type.fromJson(first.raw)
  return Option.match(decoded, {
    onNone: () => Either.left(invalidValue(first.source, setting.type, first.raw)),
    onSome: (value) => Either.right({ value, source: first.source })
  })
}
