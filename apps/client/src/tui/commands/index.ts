/** Every slash command, in the order /help lists them. */
import { admin } from "./admin.js"
import { buffers } from "./buffers.js"
import { clear } from "./clear.js"
import { config } from "./config.js"
import { connect } from "./connect.js"
import { deregister } from "./deregister.js"
import { disconnect } from "./disconnect.js"
import { exportKey } from "./export.js"
import { fingerprint } from "./fingerprint.js"
import { help } from "./help.js"
import { importKey } from "./import.js"
import { login } from "./login.js"
import { logout } from "./logout.js"
import { recover } from "./recover.js"
import { register } from "./register.js"
import { servers } from "./servers.js"
import { set } from "./set.js"
import { subscribe } from "./subscribe.js"
import { trust } from "./trust.js"
import type { SlashCommand } from "./types.js"
import { unsubscribe } from "./unsubscribe.js"
import { users } from "./users.js"
import { version } from "./version.js"

export const COMMANDS: ReadonlyArray<SlashCommand> = [
  connect,
  disconnect,
  register,
  login,
  logout,
  deregister,
  users,
  subscribe,
  unsubscribe,
  admin,
  importKey,
  exportKey,
  recover,
  trust,
  fingerprint,
  set,
  config,
  servers,
  buffers,
  clear,
  version,
  help
]
