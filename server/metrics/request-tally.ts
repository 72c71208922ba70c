import { bucketIndex } from "../../framework/queue/index.js";
import { histogramLines, labelText } from "./histogram-text.js";

/** Bounds in seconds of `core4_http_request_duration_seconds`. */
export const REQUEST_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface Requests {
  labels: { method: string; route: string; status: string };
  count: number;
}

interface Durations {
  labels: string;
  counts: Float64Array;
  sum: number;
}

// Bounded by the routes, methods and statuses an app has (unknown paths count as "unmatched"); a guard all
// the same, so a flaw elsewhere cannot grow it without end.
const MAX_SERIES = 10_000;

/**
 * The HTTP request metrics as plain numbers, counted on every request and turned into Prometheus series
 * only when scraped: a request costs a map lookup and two additions instead of prom-client's label
 * validation and hashing on each of two metrics.
 */
export class RequestTally {
  private readonly requests = new Map<string, Requests>();
  private readonly durations = new Map<string, Durations>();

  /** Counts one answered request and its time. */
  record(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let counted = this.requests.get(key);
    if (!counted) {
      if (this.requests.size >= MAX_SERIES) return;
      counted = { labels: { method, route, status: String(status) }, count: 0 };
      this.requests.set(key, counted);
    }
    counted.count++;
    const timeKey = `${method} ${route}`;
    let timed = this.durations.get(timeKey);
    if (!timed) {
      timed = {
        labels: labelText({ method, route }),
        counts: new Float64Array(REQUEST_SECONDS_BUCKETS.length + 1),
        sum: 0,
      };
      this.durations.set(timeKey, timed);
    }
    const bucket = bucketIndex(seconds, REQUEST_SECONDS_BUCKETS);
    timed.counts[bucket] = (timed.counts[bucket] ?? 0) + 1;
    timed.sum += seconds;
  }

  /** Every request series with its count so far. */
  requestCounts(): Iterable<Readonly<Requests>> {
    return this.requests.values();
  }

  /** The duration histogram in the Prometheus text format, HELP and TYPE included. */
  durationText(name: string, help: string): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
    for (const timed of this.durations.values()) {
      lines.push(...histogramLines(name, timed.labels, REQUEST_SECONDS_BUCKETS, timed.counts, timed.sum));
    }
    return `${lines.join("\n")}\n`;
  }
}
