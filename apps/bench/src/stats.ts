/** Latency samples and percentiles. */

export interface Percentiles {
  readonly count: number
  readonly p50: number
  readonly p90: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

/** Fixed-capacity sample buffer (milliseconds), cheap to append to on the hot path. */
export class Samples {
  private data: Float64Array
  private n = 0
  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity))
  }
  add(v: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2)
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.n++] = v
  }
  get count(): number {
    return this.n
  }
  percentiles(): Percentiles {
    return percentiles(this.data.subarray(0, this.n))
  }
}

const round = (v: number, digits = 3) => {
  const f = 10 ** digits
  return Math.round(v * f) / f
}

export const percentiles = (values: Float64Array | ReadonlyArray<number>): Percentiles => {
  const sorted = Float64Array.from(values).sort()
  const n = sorted.length
  if (n === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }
  // nearest-rank percentile
  const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]
  let sum = 0
  for (let i = 0; i < n; i++) sum += sorted[i]
  return { count: n, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[n - 1]), mean: round(sum / n) }
}

export const median = (values: ReadonlyArray<number>): number => percentiles(values).p50
