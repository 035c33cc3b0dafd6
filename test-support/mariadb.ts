/**
 * A private MariaDB server for the test suite, started from the system's binaries
 * (`mariadb-install-db` + `mariadbd`) in a temporary data directory, on loopback.
 *
 * If the binaries are missing, `ensureMariadbBinaries` installs `mariadb-server` with apt
 * when running as root, and otherwise fails with a message saying what to install.
 * MariaDB tests are never skipped silently.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

export interface MariadbInfo {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  /** a database that exists; tests create their own with `createDatabase` */
  readonly database: string
  readonly socket: string
}

const which = (bin: string): string | undefined => {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/bin", "/sbin"])) {
    const p = path.join(dir, bin)
    if (fs.existsSync(p)) return p
  }
  return undefined
}

export const ensureMariadbBinaries = (): { mariadbd: string; installDb: string; client: string } => {
  let mariadbd = which("mariadbd")
  if (!mariadbd) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0
    if (!isRoot) {
      throw new Error(
        "MariaDB tests need mariadbd, which is not installed. Install it with: sudo apt-get install -y mariadb-server"
      )
    }
    console.log("[test] mariadbd not found: installing mariadb-server with apt-get ...")
    execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null"], {
      stdio: "inherit"
    })
    mariadbd = which("mariadbd")
    if (!mariadbd) throw new Error("apt-get install mariadb-server did not provide mariadbd")
  }
  const installDb = which("mariadb-install-db") ?? which("mysql_install_db")
  const client = which("mariadb") ?? which("mysql")
  if (!installDb || !client) throw new Error("mariadb-install-db or the mariadb client is missing: apt-get install -y mariadb-server")
  return { mariadbd, installDb, client }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = net.connect({ port, host: "127.0.0.1" })
    s.once("connect", () => {
      s.destroy()
      resolve(true)
    })
    s.once("error", () => resolve(false))
  })

export interface RunningMariadb extends MariadbInfo {
  stop(): Promise<void>
}

export const startMariadb = async (): Promise<RunningMariadb> => {
  const bins = ensureMariadbBinaries()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gochat-mariadb-"))
  const datadir = path.join(dir, "data")
  const socket = path.join(dir, "mysqld.sock")
  fs.mkdirSync(datadir)
  execFileSync(bins.installDb, [`--datadir=${datadir}`, "--auth-root-authentication-method=normal", "--skip-test-db", "--user=root"], {
    stdio: "ignore"
  })
  const port = await freePort()
  const child: ChildProcess = spawn(
    bins.mariadbd,
    [
      "--no-defaults",
      `--datadir=${datadir}`,
      `--socket=${socket}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      "--user=root",
      "--skip-name-resolve",
      "--innodb-buffer-pool-size=64M",
      "--innodb-log-file-size=16M",
      "--max-connections=500",
      `--pid-file=${path.join(dir, "mysqld.pid")}`,
      `--log-error=${path.join(dir, "error.log")}`
    ],
    { stdio: "ignore", detached: false }
  )
  let exited = false
  child.once("exit", () => {
    exited = true
  })
  const deadline = Date.now() + 60_000
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      const log = fs.existsSync(path.join(dir, "error.log")) ? fs.readFileSync(path.join(dir, "error.log"), "utf8") : ""
      throw new Error(`mariadbd did not start (port ${port}):\n${log.slice(-2000)}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  const user = "gochat"
  const password = "gochat-test"
  const database = "gochat"
  execFileSync(bins.client, [`--socket=${socket}`, "-uroot", "-e",
    `CREATE DATABASE IF NOT EXISTS ${database};` +
    `CREATE USER IF NOT EXISTS '${user}'@'127.0.0.1' IDENTIFIED BY '${password}';` +
    `CREATE USER IF NOT EXISTS '${user}'@'localhost' IDENTIFIED BY '${password}';` +
    `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'127.0.0.1' WITH GRANT OPTION;` +
    `GRANT ALL PRIVILEGES ON *.* TO '${user}'@'localhost' WITH GRANT OPTION;` +
    `FLUSH PRIVILEGES;`
  ])
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    socket,
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once("exit", r))
        child.kill("SIGTERM")
        let timer: NodeJS.Timeout | undefined
        await Promise.race([done, new Promise((r) => { timer = setTimeout(r, 15_000) })])
        clearTimeout(timer)
        if (!exited) child.kill("SIGKILL")
      }
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}
