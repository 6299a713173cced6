// The part of autocannon 8's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  export interface RequestParams {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  export interface Options {
    url: string
    connections?: number
    pipelining?: number
    /** Seconds. */
    duration?: number
    /** Seconds per request before it counts as a timeout. */
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string
    /** A sequence of requests each connection sends in turn (fields override the ones above). */
    requests?: {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string
      /** Called before each send of this request; returns the request to send. */
      setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams
    }[]
    /** Requests per second from all connections together (latencies corrected for omission). */
    overallRate?: number
    /** Requests per second from each connection. */
    connectionRate?: number
  }

  /** Percentiles and moments of one histogram (latency in ms, requests and bytes per second). */
  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    total: number
    p50: number
    p90: number
    p97_5: number
    p99: number
    p99_9: number
  }

  export interface Result {
    url: string
    connections: number
    pipelining: number
    /** Seconds. */
    duration: number
    errors: number
    timeouts: number
    mismatches: number
    non2xx: number
    resets: number
    '1xx': number
    '2xx': number
    '3xx': number
    '4xx': number
    '5xx': number
    statusCodeStats: Record<string, { count: number }>
    latency: Histogram
    requests: Histogram & { sent: number }
    throughput: Histogram
  }

  export interface Instance extends EventEmitter, PromiseLike<Result> {
    stop(): void
  }

  export default function autocannon(options: Options): Instance
}
