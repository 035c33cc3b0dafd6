/**
 * The compose stack cannot be run here (no Docker engine), so these tests check what can be
 * checked without one: docker-compose parses and validates the file, the services are wired as
 * documented, the image runs the release executable with the start command the README gives, and the entrypoint writes
 * a default config only when none is mounted.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const composeDir = path.resolve(__dirname, "..")
const root = path.resolve(composeDir, "..")

const composeConfig = (): string =>
  execFileSync("docker-compose", ["-f", path.join(composeDir, "compose.yml"), "config"], { encoding: "utf8" })

describe("compose/compose.yml", () => {
  it("is valid for docker-compose and wires MariaDB and the server as documented", () => {
    const out = composeConfig()
    // health-checked MariaDB, and the server waits for it to be healthy
    expect(out).toMatch(/mariadb:\n(?:.*\n)*?\s+healthcheck:\n(?:.*\n)*?\s+- healthcheck\.sh/)
    expect(out).toMatch(/depends_on:\n\s+mariadb:\n\s+condition: service_healthy/)
    // plain TCP 9037 and TLS 8037
    expect(out).toMatch(/published: 9037\n\s+target: 9037/)
    expect(out).toMatch(/published: 8037\n\s+target: 8037/)
    // config, certs, logs and data volumes
    for (const target of ["/config", "/app/certs", "/app/logs", "/app/data"]) {
      expect(out).toContain(`:${target}:rw`)
    }
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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gochat-entry-"))
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
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
