import { timingSafeEqual } from "node:crypto";
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { type JobTypes, RUN_SECONDS_BUCKETS } from "../../framework/queue/index.js";
import { JOB_STATES } from "../../framework/run/index.js";
import { HttpError } from "../errors/http-error.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";
import { histogramLines, labelText } from "./histogram-text.js";
import { RequestTally } from "./request-tally.js";

/** Path of the Prometheus endpoint. */
export const METRICS_PATH = "/metrics";

const RUN_SECONDS = "core4_job_run_seconds";
const REQUEST_SECONDS = "core4_http_request_duration_seconds";

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The server's Prometheus metrics (docs/contracts.md "HTTP" Metrics), one registry per app: Node process
 * metrics (prom-client's defaults), HTTP requests per route, and the jobs: `core4_jobs{name,state}` and
 * `core4_job_types_paused{name}` read from Redis at each scrape, `core4_job_runs_total{name,state}` and the
 * `core4_job_run_seconds` histogram from the counters every worker pool adds to in Redis (so the numbers are
 * pool-wide, whichever server is scraped).
 */
export class Core4Metrics {
  readonly registry = new Registry();
  /** HTTP requests and their times, counted as plain numbers and turned into series when scraped. */
  private readonly tally = new RequestTally();
  private readonly jobs: Gauge<"name" | "state">;
  private readonly paused: Gauge<"name">;
  private readonly runs: Counter<"name" | "state">;

  constructor(
    private readonly types: JobTypes | undefined,
    private readonly token: string | undefined,
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const tally = this.tally;
    new Counter({
      name: "core4_http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status code.",
      labelNames: ["method", "route", "status"],
      registers,
      // Read from the tally at each scrape (counted there on every request).
      collect(this: Counter<"method" | "route" | "status">) {
        this.reset();
        for (const { labels, count } of tally.requestCounts()) this.inc(labels, count);
      },
    });
    this.jobs = new Gauge({
      name: "core4_jobs",
      help: "Jobs in Redis per job type and core4 state (BullMQ's retention bounds complete and error).",
      labelNames: ["name", "state"],
      registers,
    });
    this.paused = new Gauge({
      name: "core4_job_types_paused",
      help: "1 for a job type paused pool-wide, 0 otherwise; sum() is the number of paused types.",
      labelNames: ["name"],
      registers,
    });
    this.runs = new Counter({
      name: "core4_job_runs_total",
      help: "Finished runs per job type and end state, counted by every worker pool.",
      labelNames: ["name", "state"],
      registers,
    });
  }

  /**
   * Counts and times a request by its route pattern (never the raw path: it would explode labels). A step
   * of the outermost middleware (requestContext), once the reply is decided.
   */
  readonly record = (ctx: Core4Context, ms: number): void => {
    const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
    const label = typeof route === "string" ? route : "unmatched";
    this.tally.record(ctx.method, label, ctx.status, ms / 1000);
  };

  /** Registers `GET /metrics` (open, or behind `server.metricsToken`). */
  register(router: Core4Router): void {
    router.get(
      METRICS_PATH,
      async (ctx) => {
        if (this.token !== undefined) {
          const header = ctx.get("Authorization");
          const given = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
          if (!sameToken(given, this.token)) {
            throw new HttpError(401, "metrics need Authorization: Bearer <server.metricsToken>", {
              "WWW-Authenticate": 'Bearer realm="core4 metrics"',
            });
          }
        }
        ctx.set("Cache-Control", "no-store");
        ctx.type = this.registry.contentType;
        ctx.body = await this.text();
      },
      { public: true },
    );
  }

  /** The metrics in Prometheus text format, job figures read now. */
  async text(): Promise<string> {
    const histogram = await this.refreshJobs();
    const requests = this.tally.durationText(
      REQUEST_SECONDS,
      "Time to answer an HTTP request, by method and route pattern.",
    );
    return `${await this.registry.metrics()}${requests}${histogram}`;
  }

  /** Reads the job figures from Redis into the gauges and counters; returns the run-time histogram text. */
  private async refreshJobs(): Promise<string> {
    this.jobs.reset();
    this.paused.reset();
    this.runs.reset();
    if (!this.types) return "";
    const [types, counters] = await Promise.all([this.types.list(), this.types.runCounters()]);
    for (const type of types) {
      for (const state of JOB_STATES) this.jobs.set({ name: type.name, state }, type.counts[state]);
      this.paused.set({ name: type.name }, type.paused ? 1 : 0);
      // A series for every known type, so that "no complete run in 10 minutes" can be asked of it.
      this.runs.inc({ name: type.name, state: "complete" }, 0);
    }
    const lines = [
      `# HELP ${RUN_SECONDS} Run duration in seconds per job type, counted by every worker pool.`,
      `# TYPE ${RUN_SECONDS} histogram`,
    ];
    for (const [name, counter] of [...counters].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const [state, n] of Object.entries(counter.runs)) this.runs.inc({ name, state }, n ?? 0);
      lines.push(
        ...histogramLines(
          RUN_SECONDS,
          labelText({ name }),
          RUN_SECONDS_BUCKETS,
          counter.buckets,
          counter.seconds,
        ),
      );
    }
    return `\n${lines.join("\n")}\n`;
  }
}
