// Loads a native module (.node file) carried inside a single-file executable (scripts/release.mjs).
// The executable holds each .node file as a SEA asset; the operating system can load a shared library only
// from a file, so the first run writes it into a private cache folder and later runs reuse it:
//   $GOCHAT_CACHE_DIR, else $XDG_CACHE_HOME/gochat, else ~/.cache/gochat   (Windows: %LOCALAPPDATA%\gochat)
//     <release>/<name>   where <release> is the version and a hash of all the executable's native files.
// Every folder from gochat/ down must belong to the user and admit no one else (mode 0700); a file whose
// SHA-256 is not the one built in (tampered with, or cut short by a crash) is written again, to a temporary
// name first and renamed into place, so a reader never sees half a file.
"use strict"
const crypto = require("node:crypto")
const fs = require("node:fs")
const os = require("node:os")
const path = require("node:path")

// replaced at build time (esbuild define) by the JSON of
// { release: "<version>-<hash of the files>", files: { "<name>": "<sha256 hex>" } }
const NATIVES = JSON.parse(__GOCHAT_NATIVES__)

const windows = process.platform === "win32"

class NativeCacheError extends Error {}

const cacheRoot = () => {
  if (process.env.GOCHAT_CACHE_DIR) return { dir: process.env.GOCHAT_CACHE_DIR, from: "GOCHAT_CACHE_DIR" }
  if (windows && process.env.LOCALAPPDATA) return { dir: path.join(process.env.LOCALAPPDATA, "gochat"), from: "LOCALAPPDATA" }
  if (process.env.XDG_CACHE_HOME) return { dir: path.join(process.env.XDG_CACHE_HOME, "gochat"), from: "XDG_CACHE_HOME" }
  return { dir: path.join(os.homedir(), ".cache", "gochat"), from: "HOME" }
}

/** Creates `dir` (mode 0700) if needed and checks that it is a real folder of ours that no one else can write. */
const privateDir = (dir, from) => {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = fs.lstatSync(dir)
  if (!st.isDirectory()) throw new NativeCacheError(`${dir} is not a folder (set ${from} to another place)`)
  if (windows) return
  if (st.uid !== process.getuid()) throw new NativeCacheError(`${dir} belongs to another user (uid ${st.uid}): set ${from} to a folder of your own`)
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700)
}

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex")

const readIfIntact = (file, expected) => {
  try {
    return sha256(fs.readFileSync(file)) === expected
  } catch {
    return false
  }
}

/** The cached copy of native file `name`, written from the executable's asset when missing or not intact. */
const cachedFile = (name) => {
  const expected = NATIVES.files[name]
  if (expected === undefined) throw new NativeCacheError(`no native file ${name} in this executable`)
  const { dir: rootDir, from } = cacheRoot()
  privateDir(rootDir, from)
  const dir = path.join(rootDir, NATIVES.release)
  privateDir(dir, from)
  const file = path.join(dir, name)
  if (readIfIntact(file, expected)) return file
  const bytes = Buffer.from(require("node:sea").getAsset(name))
  if (sha256(bytes) !== expected) throw new NativeCacheError(`the executable's copy of ${name} is damaged: download it again`)
  const tmp = path.join(dir, `.${name}.${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`)
  try {
    const fd = fs.openSync(tmp, "wx", 0o600)
    try {
      fs.writeSync(fd, bytes)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  }
  return file
}

const loaded = new Map()

/** The exports of native module `name` (e.g. "better_sqlite3.node"), loaded once. */
exports.loadNative = (name) => {
  let mod = loaded.get(name)
  if (mod !== undefined) return mod.exports
  let file
  try {
    file = cachedFile(name)
  } catch (e) {
    const why = e instanceof NativeCacheError ? e.message : `${e.code ?? ""} ${e.message}`.trim()
    process.stderr.write(`gochat: cannot unpack its native part ${name} into its cache folder (${why}): set GOCHAT_CACHE_DIR to a folder of your own\n`)
    process.exit(1)
  }
  mod = { exports: {} }
  process.dlopen(mod, file)
  loaded.set(name, mod)
  return mod.exports
}
