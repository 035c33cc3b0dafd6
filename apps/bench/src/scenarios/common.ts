/** Pieces shared by the scenarios: server resource sampling and result shapes. */
import { cpuDelta, readCpu, readMem, type CpuSample, type MemSample } from "../proc.js"
import type { RunningTarget } from "../target.js"

export interface ServerUsage {
  /** server CPU (user+system) over the measured phase, µs */
  readonly cpuUs: number
  readonly userUs: number
  readonly sysUs: number
  /** cpuUs divided by the unit of work of the scenario (message, login, connection) */
  readonly cpuUsPerUnit: number
  /** server CPU / wall time of the phase (1.0 = one core busy) */
  readonly cpuLoad: number
  readonly rssBefore: number
  readonly rssAfter: number
  readonly rssPeak: number
}

export interface UsageMeter {
  /** Ends the measured phase; `units` = messages/logins/connections handled in it. */
  stop(units: number): ServerUsage | undefined
}

export const meterServer = (target: RunningTarget): UsageMeter => {
  const pid = target.pid
  const cpu0: CpuSample | undefined = pid ? readCpu(pid) : undefined
  const mem0: MemSample | undefined = pid ? readMem(pid) : undefined
  return {
    stop(units) {
      if (!pid) return undefined
      const d = cpuDelta(cpu0, readCpu(pid))
      const mem1 = readMem(pid)
      if (!d || !mem0 || !mem1) return undefined
      return {
        cpuUs: Math.round(d.cpuUs),
        userUs: Math.round(d.userUs),
        sysUs: Math.round(d.sysUs),
        cpuUsPerUnit: units > 0 ? Math.round((d.cpuUs / units) * 100) / 100 : 0,
        cpuLoad: d.wallMs > 0 ? Math.round((d.cpuUs / 1000 / d.wallMs) * 100) / 100 : 0,
        rssBefore: mem0.rss,
        rssAfter: mem1.rss,
        rssPeak: mem1.hwm
      }
    }
  }
}

/** Several processes as one server (the instances of a clustered service and their Redis): usage summed. */
export const meterServers = (pids: ReadonlyArray<number | undefined>): UsageMeter => {
  const meters = pids.map((pid) => meterServer({ pid } as RunningTarget))
  return {
    stop(units) {
      const all = meters.map((m) => m.stop(units))
      if (all.some((u) => u === undefined)) return undefined
      const us = all as Array<ServerUsage>
      const sum = (f: (u: ServerUsage) => number) => us.reduce((n, u) => n + f(u), 0)
      return {
        cpuUs: sum((u) => u.cpuUs),
        userUs: sum((u) => u.userUs),
        sysUs: sum((u) => u.sysUs),
        cpuUsPerUnit: Math.round(sum((u) => u.cpuUsPerUnit) * 100) / 100,
        cpuLoad: Math.round(sum((u) => u.cpuLoad) * 100) / 100,
        rssBefore: sum((u) => u.rssBefore),
        rssAfter: sum((u) => u.rssAfter),
        rssPeak: sum((u) => u.rssPeak)
      }
    }
  }
}

/** The generator's own CPU over a phase (it shares the machine with the server). */
export const meterSelf = () => {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  return (units: number) => {
    const c = process.cpuUsage(c0)
    const us = c.user + c.system
    return {
      cpuUs: us,
      cpuUsPerUnit: units > 0 ? Math.round((us / units) * 100) / 100 : 0,
      cpuLoad: Math.round((us / 1000 / Math.max(1, performance.now() - t0)) * 100) / 100
    }
  }
}

export const countError = (errors: Record<string, number>, name: string) => {
  errors[name] = (errors[name] ?? 0) + 1
}

export const round2 = (v: number) => Math.round(v * 100) / 100

/** CLOCK_MONOTONIC in µs: the clock of V8 .cpuprofile `startTime`/`endTime` on Linux. */
export const monoUs = (): number => Number(process.hrtime.bigint() / 1000n)
