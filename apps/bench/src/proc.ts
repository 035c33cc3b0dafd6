/** Reading a process's CPU time and memory from /proc (Linux only). */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"

let clkTck: number | undefined
/** Clock ticks per second for /proc/PID/stat times (`getconf CLK_TCK`, almost always 100). */
export const clockTicks = (): number => {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100
    } catch {
      clkTck = 100
    }
  }
  return clkTck
}

export interface CpuSample {
  /** user + system CPU time in microseconds */
  readonly cpuUs: number
  readonly userUs: number
  readonly sysUs: number
  /** wall clock, ms (performance.now) */
  readonly at: number
}

export const readCpu = (pid: number): CpuSample | undefined => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1")
    // the command name (field 2) may contain spaces: split after its closing parenthesis
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    // rest[0] is field 3 (state); utime = field 14, stime = field 15
    const tick = 1e6 / clockTicks()
    const userUs = Number(rest[11]) * tick
    const sysUs = Number(rest[12]) * tick
    return { cpuUs: userUs + sysUs, userUs, sysUs, at: performance.now() }
  } catch {
    return undefined
  }
}

export interface MemSample {
  /** resident set size, bytes */
  readonly rss: number
  /** peak resident set size, bytes */
  readonly hwm: number
}

export const readMem = (pid: number): MemSample | undefined => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "latin1")
    const kb = (field: string) => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)
      return m ? Number(m[1]) * 1024 : 0
    }
    return { rss: kb("VmRSS"), hwm: kb("VmHWM") }
  } catch {
    return undefined
  }
}

/** CPU used between two samples, per unit of work. */
export const cpuDelta = (a: CpuSample | undefined, b: CpuSample | undefined) =>
  a && b ? { cpuUs: b.cpuUs - a.cpuUs, userUs: b.userUs - a.userUs, sysUs: b.sysUs - a.sysUs, wallMs: b.at - a.at } : undefined
