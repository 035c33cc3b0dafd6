/** HELP texts: one entry per command, in the order HELP lists them. docs/SHELL.md says the same. */

export interface HelpEntry {
  readonly name: string
  readonly usage: string
  readonly summary: string
}

export const helpEntries: ReadonlyArray<HelpEntry> = [
  { name: "conn", usage: "CONN <server> | CONN <address> <port> [--tls] [--insecure] [--ca <file>] [--no-keep]", summary: "Connect to a stored server, or to an address and port (stored as a new server)." },
  { name: "discn", usage: "DISCN", summary: "Disconnect from the server." },
  { name: "reg", usage: "REG [<username>]", summary: "Register a new account on the server (asks for a password; generates an RSA-4096 key)." },
  { name: "login", usage: "LOGIN <username> [--no-catchup]", summary: "Log in with a local account; then fetches offline messages and subscribes to events." },
  { name: "logout", usage: "LOGOUT", summary: "Log out (the connection stays open)." },
  { name: "dereg", usage: "DEREG", summary: "Delete the logged-in account on the server and locally (asks for the password)." },
  { name: "req", usage: "REQ <username>", summary: "Fetch a user's public key and pin it; warns if it changed since it was pinned." },
  { name: "usrs", usage: "USRS online|all [--perms] | USRS local server | USRS local all | USRS requested", summary: "List users: on the server, local accounts, or requested contacts." },
  { name: "msg", usage: "MSG <username> <text...>", summary: "Send an encrypted message (long texts are sent in several parts)." },
  { name: "reciv", usage: "RECIV", summary: "Fetch the messages the server kept while you were offline." },
  { name: "sub", usage: "SUB all|new_login|new_logout|duplicated_session|permissions_change", summary: "Subscribe to server events." },
  { name: "unsub", usage: "UNSUB all|new_login|new_logout|duplicated_session|permissions_change", summary: "Unsubscribe from server events." },
  { name: "admin", usage: "ADMIN shutdown <minutes> | broadcast <text> | ban <user> | kick <user> | setperms <user> <0|1|2> | motd <text>", summary: "Administer the server (admins; setperms and motd need the owner)." },
  { name: "perms", usage: "PERMS <username>", summary: "Show a user's permission level (0 user, 1 admin, 2 owner)." },
  { name: "import", usage: "IMPORT <username> <file> [--server <name>]", summary: "Create a local account from a private key file in the import/ folder (asks for a new password)." },
  { name: "export", usage: "EXPORT <username> [--server <name>]", summary: "Write an account's private key to export/<username>.priv (mode 0600)." },
  { name: "recover", usage: "RECOVER <username> [--cleanup]", summary: "Export the key and messages of an account whose server was deleted." },
  { name: "regserver", usage: "REGSERVER <name> <address> <port> [--tls] [--insecure]", summary: "Store a server under a name." },
  { name: "delserver", usage: "DELSERVER <name>", summary: "Forget a stored server (its local accounts remain for RECOVER)." },
  { name: "servers", usage: "SERVERS", summary: "List the stored servers." },
  { name: "serverconfig", usage: "SERVERCONFIG <name>", summary: "Show the settings of a stored server." },
  { name: "setserver", usage: "SETSERVER <name> Server.Name|Server.Address|Server.Port|Server.TLS|Server.VerifyTLS <value>", summary: "Change a setting of a stored server (while not connected to it)." },
  { name: "trust", usage: "TRUST <username>", summary: "Accept a contact's changed public key (after checking its fingerprint with them)." },
  { name: "fingerprint", usage: "FINGERPRINT [<username>]", summary: "Show your key's fingerprint, or a contact's pinned one." },
  { name: "history", usage: "HISTORY <username> [--limit <n>]", summary: "Show the last messages exchanged with a user." },
  { name: "ver", usage: "VER", summary: "Show the protocol and client versions." },
  { name: "verbose", usage: "VERBOSE [on|off]", summary: "Toggle packet dumps." },
  { name: "help", usage: "HELP [<command>]", summary: "Show every command, or one command." },
  { name: "exit", usage: "EXIT", summary: "Leave the shell (Ctrl-D too)." }
]

export const help = (name: string): HelpEntry | undefined => helpEntries.find((e) => e.name === name.toLowerCase())

/** The HELP output: every command, or one. undefined for an unknown command. */
export const helpText = (name?: string): string | undefined => {
  if (name === undefined) {
    const width = Math.max(...helpEntries.map((e) => e.name.length))
    return [
      "Commands (case-insensitive; HELP <command> for its usage):",
      ...helpEntries.map((e) => `  ${e.name.toUpperCase().padEnd(width)}  ${e.summary}`),
      "Remote commands also take --server <name> --user <name> [--password-file <file>] to connect and log in first."
    ].join("\n")
  }
  const e = help(name)
  return e === undefined ? undefined : `usage: ${e.usage}\n  ${e.summary}`
}
