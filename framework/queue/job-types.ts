import type { Queue } from "bullmq";
import { type JobRuntime, nextSlots, UnknownJobError } from "../job/index.js";
import { JOB_STATES, JobRegistry, type JobState } from "../run/index.js";
import { type BullState, coreState } from "./job-view.js";
import type { QueueJobData } from "./queue-data.js";
import type { RedisClient as Redis } from "./redis-connection.js";
import { createRedis } from "./redis-connection.js";
import { RUN_SECONDS_BUCKETS, runMetricsKey } from "./run-records.js";

/** A job type's schedule: as installed in Redis by a scheduler, else as configured. */
export interface JobTypeSchedule {
  /** Cron pattern. */
  pattern: string;
  /** IANA time zone of the pattern. */
  timezone: string;
  /** When the next run is due; null when no scheduler installed the schedule yet. */
  next: Date | null;
}

/** At most `max` runs of the type start per `duration` seconds across the pool. */
export interface JobTypeRateLimit {
  max: number;
  duration: number;
}

/** One job type as `coco types`, `GET /core4/api/v1/jobs/types` and the console show it. */
export interface JobTypeInfo {
  /** Job name. */
  name: string;
  /** Jobs in Redis per core4 state (BullMQ's retention bounds `complete` and `error`). */
  counts: Record<JobState, number>;
  /** Paused pool-wide: no new runs start until resumed; enqueue is still accepted. */
  paused: boolean;
  /** Schedule, null for none. */
  schedule: JobTypeSchedule | null;
  /** Rate limit (class `rateLimit` or config `jobs.<name>.rateLimit`), null for none. */
  rateLimit: JobTypeRateLimit | null;
  /** Most runs at once across the pool, null for no cap. */
  maxParallel: number | null;
  /** Attempts per job. */
  attempts: number;
  /** Whether this process registers the type (a type other processes enqueued is listed too). */
  registered: boolean;
}

/** Pool-wide finished-run counters of one job type, as the worker pools keep them in Redis. */
export interface RunCounters {
  /** Finished runs per core4 end state. */
  runs: Partial<Record<JobState, number>>;
  /** Summed run seconds. */
  seconds: number;
  /** Runs per histogram bucket ({@link RUN_SECONDS_BUCKETS}, then `+Inf`), not cumulative. */
  buckets: number[];
}

/** What {@link JobTypes} needs of the job queue: its BullMQ queues and the known job names. */
export interface QueueSource {
  queue(jobName: string): Queue<QueueJobData, unknown, string>;
  knownJobNames(): Promise<string[]>;
}

// Delayed and failed jobs are told apart by their data; beyond this many per set the rest is estimated.
const INSPECT_MAX = 5_000;

function zeroCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/**
 * Job types with their counts per core4 state, pause flag, schedule and limits, and pause/resume.
 * A pause is BullMQ's own queue pause: a flag in the queue's Redis meta key that every worker's fetch checks
 * before a run starts, so it holds pool-wide; runs already going finish and enqueue is still accepted.
 */
export class JobTypes {
  private readonly registry: JobRegistry;
  private readonly prefix: string;
  private connection: Redis | undefined;

  constructor(
    private readonly runtime: JobRuntime,
    private readonly source: QueueSource,
  ) {
    this.registry = JobRegistry.of(runtime);
    this.prefix = runtime.config.core.redis.prefix;
  }

  /** Every known job type, by name. */
  async list(): Promise<JobTypeInfo[]> {
    const names = await this.source.knownJobNames();
    return Promise.all(names.map((name) => this.info(name)));
  }

  /** One job type; throws {@link UnknownJobError} for a name neither registered nor ever enqueued. */
  async get(name: string): Promise<JobTypeInfo> {
    return this.info(await this.known(name));
  }

  /** Pauses a job type pool-wide. */
  async pause(name: string): Promise<JobTypeInfo> {
    await this.source.queue(await this.known(name)).pause();
    return this.info(name);
  }

  /** Resumes a paused job type. */
  async resume(name: string): Promise<JobTypeInfo> {
    await this.source.queue(await this.known(name)).resume();
    return this.info(name);
  }

  /** Jobs per core4 state in Redis for one type. */
  async counts(name: string): Promise<Record<JobState, number>> {
    const queue = this.source.queue(name);
    const keys = queue.keys as Record<string, string>;
    const redis = this.redis();
    const sizes = await redis
      .pipeline()
      .llen(keys.wait as string)
      .llen(keys.paused as string)
      .zcard(keys.prioritized as string)
      .zcard(keys["waiting-children"] as string)
      .llen(keys.active as string)
      .zcard(keys.completed as string)
      .zrange(keys.delayed as string, 0, INSPECT_MAX - 1)
      .zcard(keys.delayed as string)
      .zrange(keys.failed as string, 0, INSPECT_MAX - 1)
      .zcard(keys.failed as string)
      .exec();
    const value = (i: number): unknown => sizes?.[i]?.[1];
    const counts = zeroCounts();
    counts.pending = [0, 1, 2, 3].reduce((sum, i) => sum + Number(value(i) ?? 0), 0);
    counts.running = Number(value(4) ?? 0);
    counts.complete = Number(value(5) ?? 0);
    await this.inspect(queue, "delayed", (value(6) as string[]) ?? [], Number(value(7) ?? 0), counts);
    await this.inspect(queue, "failed", (value(8) as string[]) ?? [], Number(value(9) ?? 0), counts);
    return counts;
  }

  /** The pool-wide finished-run counters of every job type that ran, by name. */
  async runCounters(): Promise<Map<string, RunCounters>> {
    const hash = await this.redis().hgetall(runMetricsKey(this.prefix));
    const out = new Map<string, RunCounters>();
    const of = (name: string): RunCounters => {
      let counters = out.get(name);
      if (!counters) {
        counters = { runs: {}, seconds: 0, buckets: new Array(RUN_SECONDS_BUCKETS.length + 1).fill(0) };
        out.set(name, counters);
      }
      return counters;
    };
    for (const [field, raw] of Object.entries(hash)) {
      const [kind, name, part] = field.split("|");
      if (!name) continue;
      const n = Number(raw);
      if (kind === "n" && part) of(name).runs[part as JobState] = n;
      else if (kind === "s") of(name).seconds = n;
      else if (kind === "b" && part !== undefined) {
        const index = Number(part);
        const buckets = of(name).buckets;
        if (index >= 0 && index < buckets.length) buckets[index] = n;
      }
    }
    return out;
  }

  /** Releases the Redis connection. */
  async close(): Promise<void> {
    await this.connection?.quit().catch(() => undefined);
    this.connection = undefined;
  }

  private async info(name: string): Promise<JobTypeInfo> {
    const queue = this.source.queue(name);
    const jobClass = this.registry.has(name) ? this.registry.get(name) : undefined;
    const [counts, paused] = await Promise.all([this.counts(name), queue.isPaused()]);
    const settings = jobClass ? JobRegistry.settings(this.runtime, jobClass) : undefined;
    let schedule: JobTypeSchedule | null = null;
    if (jobClass) {
      // The scheduler enqueues each slot itself (no BullMQ job scheduler): the next slot follows from the pattern.
      const policy = JobRegistry.schedulePolicy(this.runtime, jobClass);
      if (policy.schedule !== undefined) {
        const [next] = nextSlots(policy.schedule, policy.timezone, new Date(), 1);
        schedule = { pattern: policy.schedule, timezone: policy.timezone, next: next ?? null };
      }
    }
    return {
      name,
      counts,
      paused,
      schedule,
      rateLimit: settings?.rateLimit ?? null,
      maxParallel: settings && Number.isFinite(settings.maxParallel) ? settings.maxParallel : null,
      attempts: settings?.attempts ?? 1,
      registered: jobClass !== undefined,
    };
  }

  private async known(name: string): Promise<string> {
    if (this.registry.has(name) || (await this.source.knownJobNames()).includes(name)) return name;
    this.registry.get(name); // throws naming the registered jobs
    throw new UnknownJobError(`unknown job "${name}"`);
  }

  /** Sorts delayed or failed jobs into core4 states by their data; estimates beyond {@link INSPECT_MAX}. */
  private async inspect(
    queue: Queue<QueueJobData, unknown, string>,
    set: "delayed" | "failed",
    ids: string[],
    total: number,
    counts: Record<JobState, number>,
  ): Promise<void> {
    if (ids.length === 0) return;
    const pipeline = this.redis().pipeline();
    for (const id of ids) pipeline.hmget(queue.toKey(id), "data", "ats", "atm", "failedReason");
    const replies = (await pipeline.exec()) ?? [];
    const seen = zeroCounts();
    let inspected = 0;
    for (const [error, reply] of replies) {
      const [data, ats, atm, failedReason] = (reply ?? []) as (string | null)[];
      if (error || data === null || data === undefined) continue;
      let parsed: QueueJobData | undefined;
      try {
        parsed = JSON.parse(data) as QueueJobData;
      } catch {
        parsed = undefined;
      }
      const state = coreState(
        {
          data: parsed as QueueJobData,
          attemptsStarted: Number(ats ?? 0),
          attemptsMade: Number(atm ?? 0),
          failedReason: failedReason ?? "",
        },
        set as BullState,
      );
      if (state) {
        seen[state] += 1;
        inspected += 1;
      }
    }
    const scale = inspected > 0 && total > inspected ? total / inspected : 1;
    for (const state of JOB_STATES) counts[state] += Math.round(seen[state] * scale);
  }

  private redis(): Redis {
    this.connection ??= createRedis(this.runtime.redisUrl, "core4.types", this.runtime.logger);
    return this.connection;
  }
}
