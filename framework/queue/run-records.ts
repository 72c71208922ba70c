import type { JobLogger } from "../job/index.js";
import { OUTAGE_RETRY_MS, type RunInput, type RunOutcome } from "../run/index.js";
import type { RedisClient as Redis } from "./redis-connection.js";

/** Upper bounds (seconds) of the `core4_job_run_seconds` histogram buckets; `+Inf` follows the last. */
export const RUN_SECONDS_BUCKETS: readonly number[] = [
  0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600,
];

/** The Redis hash holding the pool-wide run counters every worker pool adds to (a `{core4}` global key). */
export function runMetricsKey(prefix: string): string {
  return `${prefix}:{core4}:run-metrics`;
}

/** Field of a run counter: finished runs of a job type in a state. */
export function runCountField(name: string, state: string): string {
  return `n|${name}|${state}`;
}

/** Field of the summed run seconds of a job type. */
export function runSumField(name: string): string {
  return `s|${name}`;
}

/** Field of the runs of a job type that fell into histogram bucket `index` (not cumulative). */
export function runBucketField(name: string, index: number): string {
  return `b|${name}|${index}`;
}

/**
 * The histogram bucket index of a duration: the first bound it does not exceed (Prometheus `le`), else
 * `bounds.length` (`+Inf`). Also counts the server's request times.
 */
export function bucketIndex(seconds: number, bounds: readonly number[] = RUN_SECONDS_BUCKETS): number {
  const index = bounds.findIndex((bound) => seconds <= bound);
  return index === -1 ? bounds.length : index;
}

// Counters are added up in memory and written in one pipeline at most this often: a run costs no round trip.
const FLUSH_MS = 1_000;

/**
 * What a worker pool records about each run (docs/contracts.md "Jobs: metadata and policies"): one log
 * record when a run starts and one when it ends, with the job id as `identifier` (so `coco logs <id>`
 * shows them beside the job's own records), and the pool-wide run counters behind `/metrics`
 * (`core4_job_runs_total`, `core4_job_run_seconds`), kept in Redis so that any server can expose them.
 */
export class RunRecords {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastFlushError = 0;

  constructor(
    private readonly logger: JobLogger,
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  /** A run starts; `takeover` when its previous worker died (BullMQ found the job stalled). */
  started(input: RunInput, takeover: boolean): void {
    const name = input.jobClass.jobName;
    const fields = { identifier: input.id, qual_name: name, attempt: input.attemptsMade + 1, run: input.run };
    if (takeover) {
      this.logger.warn(`job ${name} ${input.id} taken over: its previous worker died`, fields);
    }
    this.logger.info(
      `job ${name} ${input.id} started (attempt ${input.attemptsMade + 1} of ${input.settings.attempts})`,
      fields,
    );
  }

  /** A run ended: one record at the level its end deserves, and the counters. */
  finished(input: RunInput, outcome: RunOutcome): void {
    if (outcome.state === "interrupted") {
      this.logger.info(
        `job ${input.jobClass.jobName} ${input.id} interrupted by shutdown: back to the queue`,
        {
          identifier: input.id,
          qual_name: input.jobClass.jobName,
          state: "pending",
        },
      );
      return;
    }
    const name = input.jobClass.jobName;
    const runtime = (outcome.finished.getTime() - outcome.started.getTime()) / 1000;
    const fields: Record<string, unknown> = {
      identifier: input.id,
      qual_name: name,
      state: outcome.state,
      runtime,
    };
    const error = outcome.error;
    if (error && outcome.state !== "deferred") {
      fields.error = { name: error.name, message: error.message, stack: error.stack };
    }
    const what = `job ${name} ${input.id}`;
    const reason = error?.message ?? "";
    const { settings } = input;
    switch (outcome.state) {
      case "complete":
        this.logger.info(`${what} complete in ${runtime.toFixed(3)} s`, fields);
        break;
      case "deferred":
        if (outcome.outage) {
          const wait = Math.min(settings.deferTime * 1000, OUTAGE_RETRY_MS) / 1000;
          this.logger.warn(
            `${what} deferred for ${wait} s: MongoDB or Redis unreachable, no attempt used: ${reason}`,
            {
              ...fields,
              outage: true,
            },
          );
          break;
        }
        this.logger.warn(`${what} deferred for ${settings.deferTime} s: ${reason}`, fields);
        break;
      case "killed":
        this.logger.warn(`${what} killed after ${runtime.toFixed(3)} s`, fields);
        break;
      case "inactive":
        this.logger.warn(`${what} inactive: deferred beyond ${settings.deferMax} s: ${reason}`, fields);
        break;
      case "failed":
        this.logger.warn(
          `${what} failed (attempt ${input.attemptsMade + 1} of ${settings.attempts}), retried in ${settings.errorTime} s: ${reason}`,
          fields,
        );
        break;
      default:
        this.logger.error(`${what} error: attempts used up (${settings.attempts}): ${reason}`, fields);
    }
    this.count(name, outcome.state, runtime);
  }

  /** Writes the counters not yet in Redis. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const key = runMetricsKey(this.prefix);
    const pipeline = this.connection.pipeline();
    for (const [field, value] of batch) {
      if (field.startsWith("s|")) pipeline.hincrbyfloat(key, field, value);
      else pipeline.hincrby(key, field, value);
    }
    this.flushing = pipeline
      .exec()
      .then((replies) => {
        if (replies?.some(([error]) => error)) throw replies.find(([error]) => error)?.[0];
      })
      .catch((error: unknown) => {
        // Counted again on the next flush: metrics lag rather than lose runs while Redis is away.
        for (const [field, value] of batch) this.pending.set(field, (this.pending.get(field) ?? 0) + value);
        const now = Date.now();
        if (now - this.lastFlushError > 30_000) {
          this.lastFlushError = now;
          this.logger.warn("cannot write the run counters to Redis", { reason: String(error) });
        }
        this.schedule();
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private count(name: string, state: string, seconds: number): void {
    this.add(runCountField(name, state), 1);
    this.add(runSumField(name), seconds);
    this.add(runBucketField(name, bucketIndex(seconds)), 1);
    this.schedule();
  }

  private add(field: string, value: number): void {
    this.pending.set(field, (this.pending.get(field) ?? 0) + value);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }
}
