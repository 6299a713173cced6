import { Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { RequestDurationHistogram } from './request-durations.ts'

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const NAME = 'isn_http_request_duration_seconds'
const HELP = 'HTTP request duration by route and status'

function both() {
  const ours = new Registry()
  const theirs = new Registry()
  const histogram = new RequestDurationHistogram(NAME, HELP, BUCKETS)
  ours.registerMetric(histogram.asMetric())
  const reference = new Histogram({
    name: NAME,
    help: HELP,
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [theirs],
  })
  const observe = (method: string, route: string, status: number, seconds: number) => {
    histogram.observe(method, route, status, seconds)
    reference.labels(method, route, String(status)).observe(seconds)
  }
  return { ours, theirs, histogram, observe }
}

describe('request duration histogram', () => {
  it("exposes the same text and JSON as prom-client's Histogram for the same observations", async () => {
    const { ours, theirs, observe } = both()
    // Every bucket, its exact bounds, above the last one, and label values that need escaping.
    const durations = [
      0, 0.001, 0.005, 0.0051, 0.01, 0.03, 0.05, 0.2, 0.25, 0.7, 1, 2, 2.5, 4, 5, 9,
    ]
    durations.forEach((seconds, index) => {
      observe('GET', '/api/v1/organisations/:orgId', index % 3 === 0 ? 404 : 200, seconds)
    })
    observe('POST', '/api/v1/auth/sign-in', 201, 0.12)
    observe('GET', 'not_found', 404, 0.0004)
    observe('GET', '/odd/"quoted"\\path\nline', 200, 0.3)
    expect(await ours.metrics()).toBe(await theirs.metrics())
    // The JSON form too, but for prom-client's empty exemplar fields (an OpenMetrics feature).
    const withoutExemplars = (metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) =>
      metrics.map((metric) => ({
        ...metric,
        values: metric.values.map((value) => {
          const { exemplar: _exemplar, ...rest } = value as typeof value & { exemplar?: unknown }
          return rest
        }),
      }))
    expect(withoutExemplars(await ours.getMetricsAsJSON())).toEqual(
      withoutExemplars(await theirs.getMetricsAsJSON()),
    )
  })

  it('exposes nothing but its header before the first response, and again after a reset', async () => {
    const { ours, theirs, histogram, observe } = both()
    expect(await ours.metrics()).toBe(await theirs.metrics())
    observe('GET', '/healthz', 200, 0.002)
    expect(await ours.metrics()).toContain(
      `${NAME}_bucket{le="0.005",method="GET",route="/healthz",status="200"} 1`,
    )
    histogram.reset()
    ours.resetMetrics()
    theirs.resetMetrics()
    expect(await ours.metrics()).toBe(await theirs.metrics())
  })
})
