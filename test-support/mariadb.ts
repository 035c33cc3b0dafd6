/**
 * A private MariaDB server for the test suite, started from the system's binaries
 * (`mariadb-install-db` + `mariadbd`) in a temporary data directory, on loopback.
 *
 * If the binaries are missing, `ensureMariadbBinaries` installs them through the suite's one list
 * of system programs (scripts/test.mjs: apt-get when root, else one line saying what to install).
 * MariaDB tests are never skipped silently.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { ensureTools, which } from "../scripts/test.mjs"

export interface MariadbInfo {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly password: string
  /** a database that exists; tests create their own with `createDatabase` */
  readonly database: string
  readonly socket: string
}

/** The MariaDB programs the test setup runs, installed through the suite's one list (scripts/test.mjs) if missing. */
export const ensureMariadbBinaries = (): { mariadbd: string; installDb: string; client: string } => {
  ensureTools(["mariadbd", "mariadb-install-db", "mariadb"])
  return { mariadbd: which("mariadbd")!, installDb: which("mariadb-install-db")!, client: which("mariadb")! }
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })

export const canConnect = (port: number): Promise<boolean> =>
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
