/**
 * Errors of the client core. Every error is a value with a `message` written for the user
 * (one line: what was wrong and, where it helps, how to fix it), so a front end can print
 * `error.message` as is and switch on `_tag` when it wants to react differently.
 */
import { errorDescription, errorName } from "@gochat/protocol"
import { Data } from "effect"

/** An operation needs a connection and there is none. */
export class NotConnected extends Data.TaggedError("NotConnected")<{}> {
  override get message() {
    return "not connected to a server (use CONN <server> or CONN <address> <port>)"
  }
}

/** CONN while a connection is already open. */
export class AlreadyConnected extends Data.TaggedError("AlreadyConnected")<{ readonly server: string }> {
  override get message() {
    return `already connected to ${this.server} (use DISCN first)`
  }
}

/** An operation needs a logged-in account and there is none. */
export class NotLoggedIn extends Data.TaggedError("NotLoggedIn")<{}> {
  override get message() {
    return "you are not logged in (use LOGIN <username>)"
  }
}

/** LOGIN/REG while already logged in. */
export class AlreadyLoggedIn extends Data.TaggedError("AlreadyLoggedIn")<{ readonly username: string }> {
  override get message() {
    return `you are already logged in as ${this.username} (use LOGOUT first)`
  }
}

/** The TCP/TLS connection could not be opened, or the server did not greet us with HELLO. */
export class ConnectFailed extends Data.TaggedError("ConnectFailed")<{
  readonly target: string
  readonly reason: string
}> {
  override get message() {
    return `could not connect to ${this.target}: ${this.reason}`
  }
}

/** The connection went away while a request was waiting, or before it could be sent. */
export class ConnectionLost extends Data.TaggedError("ConnectionLost")<{ readonly reason: string }> {
  override get message() {
    return `connection lost: ${this.reason}`
  }
}

/** The server did not answer a request in time. */
export class RequestTimeout extends Data.TaggedError("RequestTimeout")<{
  readonly action: string
  readonly seconds: number
}> {
  override get message() {
    return `the server did not answer ${this.action} within ${this.seconds} s`
  }
}

/** Every one of the 1023 packet IDs is waiting for a reply. */
export class TooManyRequests extends Data.TaggedError("TooManyRequests")<{}> {
  override get message() {
    return "too many requests waiting for the server; wait for some to finish"
  }
}

/** The server answered with ERR. `code` is the protocol's error code (ErrorCode). */
export class ServerError extends Data.TaggedError("ServerError")<{
  readonly action: string
  readonly code: number
  /** What the refusal means for this request, when the command knows better than the code. */
  readonly detail?: string
}> {
  override get message() {
    return this.detail !== undefined
      ? `${this.detail} [${errorName(this.code)}]`
      : `server refused ${this.action}: ${errorDescription(this.code)} (${errorName(this.code)})`
  }
}

/** The server sent something this client cannot make sense of. */
export class ProtocolViolation extends Data.TaggedError("ProtocolViolation")<{ readonly reason: string }> {
  override get message() {
    return `unexpected reply from the server: ${this.reason}`
  }
}

/**
 * The server did something only a hostile server (or someone tampering with a plain-TCP path) would do,
 * e.g. sent a login "challenge" that is not one (an attempt to make the client decrypt a message).
 * The client stopped what it was doing and closed the connection.
 */
export class UntrustworthyServer extends Data.TaggedError("UntrustworthyServer")<{
  readonly server: string
  readonly reason: string
}> {
  override get message() {
    return `${this.server} cannot be trusted: ${this.reason}; the connection was closed`
  }
}

/** The command was given wrong arguments. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** Something looked up locally (server, account, contact) does not exist. */
export class LocalNotFound extends Data.TaggedError("LocalNotFound")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** Something created locally already exists. */
export class LocalExists extends Data.TaggedError("LocalExists")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The password does not match the local account. */
export class WrongCredentials extends Data.TaggedError("WrongCredentials")<{ readonly username: string }> {
  override get message() {
    return `wrong password for ${this.username}`
  }
}

/**
 * The contact's public key changed since it was pinned: nothing is sent to it until the
 * user accepts the new key with TRUST (after comparing fingerprints out of band).
 */
export class KeyChanged extends Data.TaggedError("KeyChanged")<{
  readonly username: string
  readonly pinned: string
  readonly offered: string
}> {
  override get message() {
    return `the public key of ${this.username} changed (pinned ${this.pinned}, now ${this.offered}); ` +
      `verify the new fingerprint with ${this.username} and run TRUST ${this.username} to accept it`
  }
}

/** A local cryptographic operation failed (bad key file, message too long...). */
export class CryptoFailure extends Data.TaggedError("CryptoFailure")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** The local database failed. */
export class StoreFailure extends Data.TaggedError("StoreFailure")<{ readonly reason: string }> {
  override get message() {
    return `local database error: ${this.reason}`
  }
}

/** Reading or writing a file (config, key import/export) failed. */
export class FileFailure extends Data.TaggedError("FileFailure")<{ readonly path: string; readonly reason: string }> {
  override get message() {
    return `${this.path}: ${this.reason}`
  }
}

/** Failures of talking to the server. */
export type RequestError = NotConnected | ConnectionLost | RequestTimeout | TooManyRequests | ServerError | ProtocolViolation

/** Everything a command can fail with. */
export type CommandError =
  | RequestError
  | AlreadyConnected
  | NotLoggedIn
  | AlreadyLoggedIn
  | ConnectFailed
  | UsageError
  | LocalNotFound
  | LocalExists
  | WrongCredentials
  | KeyChanged
  | UntrustworthyServer
  | CryptoFailure
  | StoreFailure
  | FileFailure
