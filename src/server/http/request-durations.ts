import type { Metric } from 'prom-client'

interface Series {
  labels: { method: string; route: string; status: string }
  /** Observations per bucket (not cumulative); the last one counts those above every bound. */
  counts: number[]
  sum: number
  count: number
}

/**
 * A Prometheus histogram of request durations by method, route and status, registered in a
 * prom-client registry and exposed exactly as prom-client's own `Histogram` would be. Its
 * `observe` runs on every response: prom-client's costs ≈ 4 µs there (it rebuilds and checks the
 * label set and hashes it on every call, even through a kept child), this one a Map lookup and
 * a bucket search (docs/performance.md, throughput). `request-durations.test.ts` compares the
 * two expositions.
 */
export class RequestDurationHistogram {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  readonly #series = new Map<string, Series>()

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {}

  /** Counts one response; `seconds` is its duration. */
  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`
    let series = this.#series.get(key)
    if (!series) {
      series = {
        labels: { method, route, status: String(status) },
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      }
      this.#series.set(key, series)
    }
    let bucket = 0
    while (bucket < this.buckets.length && seconds > this.buckets[bucket]!) bucket += 1
    series.counts[bucket]! += 1
    series.sum += seconds
    series.count += 1
  }

  /** What the registry formats, in the shape prom-client's `Histogram.get()` has. */
  async get() {
    const bucketName = `${this.name}_bucket`
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] =
      []
    for (const series of this.#series.values()) {
      let cumulative = 0
      this.buckets.forEach((bound, index) => {
        cumulative += series.counts[index]!
        values.push({
          labels: { le: bound, ...series.labels },
          value: cumulative,
          metricName: bucketName,
        })
      })
      values.push(
        { labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: bucketName },
        { labels: { ...series.labels }, value: series.sum, metricName: `${this.name}_sum` },
        { labels: { ...series.labels }, value: series.count, metricName: `${this.name}_count` },
      )
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    }
  }

  reset(): void {
    this.#series.clear()
  }

  /**
   * For `registry.registerMetric`, which prom-client types as one of its own metric classes; the
   * registry reads `name`, `type`, `get()` and `reset()`, which this class has.
   */
  asMetric(): Metric {
    return this as unknown as Metric
  }
}
