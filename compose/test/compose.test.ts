/**
 * The compose stack cannot be run here (no Docker engine), so these tests check what can be
 * checked without one: docker-compose parses and validates the file, the services are wired as
 * documented, the image runs the release executable with the start command the README gives, and the entrypoint writes
 * a default config only when none is mounted.
 */
import { execFileSync, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { tempDir } from "../../test-support/tempDir.js"

const composeDir = path.resolve(__dirname, "..")
const root = path.resolve(composeDir, "..")

const passwords = { GOCHAT_DB_PASSWORD: "user-secret-1", GOCHAT_DB_ROOT_PASSWORD: "root-secret-2" }

/**
 * `docker-compose config` with exactly these variables: the passwords removed from the inherited environment
 * and an env file given explicitly, so a developer's own compose/.env never takes part.
 */
const runConfig = (vars: Record<string, string>, envFileText = "", file = "compose.yml") => {
  const envFile = path.join(tempDir("gochat-compose-"), "env")
  fs.writeFileSync(envFile, envFileText)
  const env: NodeJS.ProcessEnv = { ...process.env, ...vars }
  for (const name of Object.keys(passwords)) if (!(name in vars)) delete env[name]
  const r = spawnSync("docker-compose", ["--env-file", envFile, "-f", path.join(composeDir, file), "config"],
    { encoding: "utf8", env })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

const composeConfig = (): string => {
  const r = runConfig(passwords)
  expect(r.stderr).toBe("")
  expect(r.status).toBe(0)
  return r.stdout
}

describe("compose/compose.yml", () => {
  it("is valid for docker-compose and wires MariaDB and the server as documented", () => {
    const out = composeConfig()
    // health-checked MariaDB, and the server waits for it to be healthy
    expect(out).toMatch(/mariadb:\n(?:.*\n)*?\s+healthcheck:\n(?:.*\n)*?\s+- healthcheck\.sh/)
    expect(out).toMatch(/depends_on:\n\s+mariadb:\n\s+condition: service_healthy/)
    // TLS 8037 on every address; plain TCP 9037 only on the loopback unless GOCHAT_PLAIN_BIND widens it
    expect(out).toMatch(/published: 8037\n\s+target: 8037/)
    expect(out).toContain("- 127.0.0.1:9037:9037/tcp")
    expect(out).not.toMatch(/published: 9037/)
    expect(runConfig({ ...passwords, GOCHAT_PLAIN_BIND: "0.0.0.0" }).stdout).toContain("- 0.0.0.0:9037:9037/tcp")
    // config, certs, logs and data volumes
    for (const target of ["/config", "/app/certs", "/app/logs", "/app/data"]) {
      expect(out).toContain(`:${target}:rw`)
    }
  })

  it("has no default passwords: refuses, naming the variable and compose/.env.example, until both are set", () => {
    const missing = (r: { status: number | null; stdout: string; stderr: string }, name: string) => {
      expect(r.status).not.toBe(0)
      expect(r.stdout).toBe("")
      expect(r.stderr).toMatch(new RegExp(`: set ${name} \\(.*\\) in compose/\\.env, see compose/\\.env\\.example\\n$`))
    }
    missing(runConfig({}), "GOCHAT_DB_ROOT_PASSWORD")
    missing(runConfig({ GOCHAT_DB_ROOT_PASSWORD: "root-secret-2" }), "GOCHAT_DB_PASSWORD")
    missing(runConfig({ GOCHAT_DB_PASSWORD: "user-secret-1" }), "GOCHAT_DB_ROOT_PASSWORD")
    // compose/.env.example copied unchanged (empty values) is refused too
    missing(runConfig({}, fs.readFileSync(path.join(composeDir, ".env.example"), "utf8")), "GOCHAT_DB_ROOT_PASSWORD")
    // set in an env file (as compose/.env): accepted, and the same user password reaches MariaDB and the server
    const ok = runConfig({}, "GOCHAT_DB_PASSWORD=from-file-3\nGOCHAT_DB_ROOT_PASSWORD=from-file-4\n")
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/gochat:\n(?:.*\n)*?\s+environment:\n\s+GOCHAT_DB_PASSWORD: from-file-3\n/)
    expect(ok.stdout).toMatch(/MARIADB_PASSWORD: from-file-3\n/)
    expect(ok.stdout).toMatch(/MARIADB_ROOT_PASSWORD: from-file-4\n/)
    // no password anywhere in the repository's compose files
    expect(fs.readFileSync(path.join(composeDir, "config", "server.json"), "utf8")).not.toMatch(/password/i)
    expect(fs.readFileSync(path.join(composeDir, "compose.yml"), "utf8")).not.toMatch(/PASSWORD:?-/)
  })

  it("runs the server executable of `pnpm release` in a runtime image without Node, pnpm or source, as the README documents", () => {
    const dockerfile = fs.readFileSync(path.join(composeDir, "Dockerfile"), "utf8")
    const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)
    expect(cmd).not.toBeNull()
    const argv = JSON.parse(cmd![1]) as string[]
    expect(argv.slice(0, 1)).toEqual(["gochat-server"])
    expect(readme).toContain(argv.join(" "))
    // the executable built in its own stage on Node 20 (release.test.ts runs it as the image does)
    const [build, runtime] = dockerfile.split(/^(?=FROM )/m).filter((s) => s.startsWith("FROM "))
    expect(build).toMatch(/^FROM node:20/)
    expect(build).toMatch(/^RUN GOCHAT_COMMIT="\$GOCHAT_COMMIT" node scripts\/release\.mjs linux-x64 server/m)
    // at run time: one executable, the entrypoint and the default config, nothing else; non-root
    expect(runtime).toMatch(/^FROM debian:bookworm-slim/)
    expect(runtime.match(/^COPY .*$/gm)).toEqual([
      "COPY --from=build /app/release/gochat-server-linux-x64 /usr/local/bin/gochat-server",
      "COPY compose/entrypoint.sh ./compose/entrypoint.sh",
      "COPY compose/config/server.json ./compose/config/server.json"
    ])
    expect(runtime).not.toMatch(/\b(pnpm|npm|node)\b/)
    expect(runtime).toMatch(/^USER gochat$/m)
    // the entrypoint execs the command, so the server is PID 1 and gets docker stop's SIGTERM
    expect(fs.readFileSync(path.join(composeDir, "entrypoint.sh"), "utf8")).toMatch(/^exec "\$@"$/m)
  })

  it("ships a default server config that the server accepts", () => {
    const out = execFileSync(process.execPath, [path.join(root, "scripts", "start.mjs"), "server", "config", "check",
      path.join(composeDir, "config", "server.json")], { encoding: "utf8", cwd: root })
    expect(out).toMatch(/"kind": "mysql"/)
    expect(out).toMatch(/"host": "mariadb"/)
    expect(out).toMatch(/server\.json: OK/)
  })

  it("entrypoint writes the default config when none is mounted, and keeps a mounted one", () => {
    const dir = tempDir("gochat-entry-")
    const env = {
      ...process.env,
      GOCHAT_CONFIG_DIR: path.join(dir, "config"),
      GOCHAT_DEFAULT_CONFIG: path.join(composeDir, "config", "server.json")
    }
    const entry = path.join(composeDir, "entrypoint.sh")
    const first = execFileSync("sh", [entry, "cat", path.join(dir, "config", "server.json")], { env, encoding: "utf8" })
    expect(JSON.parse(first.slice(first.indexOf("{")))).toEqual(
      JSON.parse(fs.readFileSync(path.join(composeDir, "config", "server.json"), "utf8"))
    )
    expect(fs.statSync(path.join(dir, "config", "server.json")).mode & 0o777).toBe(0o600)
    fs.writeFileSync(path.join(dir, "config", "server.json"), '{"mounted":true}')
    const second = execFileSync("sh", [entry, "cat", path.join(dir, "config", "server.json")], { env, encoding: "utf8" })
    expect(second.trim()).toBe('{"mounted":true}')
  })
})

describe("compose/cluster.yml (several instances as one service, docs/SCALING.md)", () => {
  it("is valid and wires MariaDB, Redis, two instances and HAProxy in front, each with a health check", () => {
    const r = runConfig(passwords, "", "cluster.yml")
    expect(r.stderr).toBe("")
    expect(r.status).toBe(0)
    const out = r.stdout
    for (const service of ["mariadb", "redis", "gochat-1", "gochat-2", "haproxy"]) {
      const block = new RegExp(`\n  ${service}:\n((?:    .*\n|\s*- .*\n)*)`).exec(out)?.[1] ?? ""
      expect(block, service).toMatch(/healthcheck:/)
    }
    // both instances: clustering on through Redis, the database password from the environment, and
    // waiting for healthy MariaDB and Redis; neither publishes a port (clients go through HAProxy)
    for (const service of ["gochat-1", "gochat-2"]) {
      const block = new RegExp(`\n  ${service}:\n((?:    .*\n|\s*- .*\n)*)`).exec(out)![1]
      expect(block).toContain("GOCHAT_REDIS_URL: redis://redis:6379")
      expect(block).toContain("GOCHAT_DB_PASSWORD: user-secret-1")
      expect(block).toMatch(/redis:\n\s+condition: service_healthy/)
      expect(block).toMatch(/mariadb:\n\s+condition: service_healthy/)
      expect(block).not.toContain("published")
    }
    // HAProxy: TLS 8037 on every address, plain 9037 on the loopback unless GOCHAT_PLAIN_BIND widens it
    expect(out).toMatch(/published: 8037\n\s+target: 8037/)
    expect(out).toContain("- 127.0.0.1:9037:9037/tcp")
    expect(runConfig({ ...passwords }, "", "cluster.yml").stdout).toContain("haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro")
    // no default passwords here either
    const refused = runConfig({}, "", "cluster.yml")
    expect(refused.status).not.toBe(0)
    expect(refused.stderr).toMatch(/GOCHAT_DB_(ROOT_)?PASSWORD/)
  })

  it("HAProxy's configuration is accepted by haproxy and balances both ports over both instances in TCP mode", () => {
    const cfg = path.join(composeDir, "haproxy", "haproxy.cfg")
    const check = spawnSync("haproxy", ["-c", "-f", cfg], { encoding: "utf8" })
    expect(check.status, check.stdout + check.stderr).toBe(0)
    const text = fs.readFileSync(cfg, "utf8")
    expect(text).toMatch(/defaults\n(?:.*\n)*?\s+mode tcp/)
    for (const port of [9037, 8037]) {
      expect(text).toContain(`bind :${port}`)
      expect(text).toContain(`server gochat-1 gochat-1:${port}`)
      expect(text).toContain(`server gochat-2 gochat-2:${port}`)
    }
  })
})
