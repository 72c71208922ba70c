import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { JobDefinitionError, JobRegistry, type JobRuntime } from "../job/index.js";
import type { QueueJobData } from "./queue-data.js";
import { knownQueuesKey, queueNameOf } from "./queue-keys.js";
import { createRedis, watchRedisErrors } from "./redis-connection.js";
import { KEEP_COMPLETED, KEEP_FAILED } from "./retention.js";

/** One job type's schedule as installed. */
export interface InstalledSchedule {
  /** Job name (also the BullMQ job scheduler id). */
  jobName: string;
  /** Cron pattern. */
  pattern: string;
  /** IANA time zone of the pattern. */
  timezone: string;
  /** When the next run is due. */
  next: Date | null;
}

/** Options of {@link startScheduler}. */
export interface SchedulerOptions {
  /** Close on SIGTERM and SIGINT (default false; `coco scheduler` turns it on). */
  handleSignals?: boolean;
}

/**
 * Installs every registered job's `schedule` (class value, or config `jobs.<name>.schedule`; `null`
 * disables) as a BullMQ job scheduler with the job name as id, and removes the schedulers of jobs that
 * no longer have one. Upserting is idempotent: several schedulers started at once install one schedule
 * and create no duplicate runs.
 *
 * A job scheduler keeps exactly one next run in Redis and creates the following one when that run starts.
 * After downtime (no worker running), the overdue run executes once when a worker returns and the next
 * one is planned from then on: a missed run is caught up once, not once per missed slot (core4's rule).
 */
export class Scheduler {
  private closing: Promise<void> | undefined;
  private readonly signalHandler = (): void => {
    void this.close();
  };

  private constructor(
    private readonly connection: Redis,
    /** The schedules installed at start. */
    readonly schedules: readonly InstalledSchedule[],
    private readonly handleSignals: boolean,
  ) {}

  /** Installs the schedules; see the class description. */
  static async start(runtime: JobRuntime, options: SchedulerOptions = {}): Promise<Scheduler> {
    const registry = JobRegistry.of(runtime);
    const prefix = runtime.config.core.redis.prefix;
    const connection = createRedis(runtime.redisUrl, "core4.scheduler", runtime.logger);
    const installed: InstalledSchedule[] = [];
    try {
      for (const jobClass of registry.all()) {
        const name = jobClass.jobName;
        const queue = new Queue<QueueJobData, unknown, string>(queueNameOf(name), { connection, prefix });
        watchRedisErrors(queue, `queue ${name}`, runtime.logger, runtime.redisUrl);
        try {
          const pattern = JobRegistry.schedule(runtime, jobClass);
          if (!pattern) {
            await queue.removeJobScheduler(name);
            continue;
          }
          const timezone = jobClass.timezone ?? "UTC";
          const settings = JobRegistry.settings(runtime, jobClass);
          let next: Awaited<ReturnType<typeof queue.upsertJobScheduler>>;
          try {
            next = await queue.upsertJobScheduler(
              name,
              { pattern, tz: timezone },
              {
                name,
                data: { args: {} },
                opts: {
                  attempts: settings.attempts,
                  backoff: { type: "fixed", delay: settings.errorTime * 1000 },
                  priority: settings.priority || undefined,
                  removeOnComplete: KEEP_COMPLETED,
                  removeOnFail: KEEP_FAILED,
                },
              },
            );
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            throw new JobDefinitionError(
              `invalid schedule "${pattern}" (${timezone}) of job ${name}: ${reason}`,
            );
          }
          await connection.sadd(knownQueuesKey(prefix), name);
          const due = next ? next.timestamp + (next.delay ?? 0) : undefined;
          installed.push({ jobName: name, pattern, timezone, next: due ? new Date(due) : null });
        } finally {
          await queue.close();
        }
      }
    } catch (error) {
      await connection.quit().catch(() => undefined);
      throw error;
    }
    const scheduler = new Scheduler(connection, installed, options.handleSignals ?? false);
    if (scheduler.handleSignals) {
      process.once("SIGTERM", scheduler.signalHandler);
      process.once("SIGINT", scheduler.signalHandler);
    }
    runtime.logger.info("schedules installed", {
      schedules: installed.map((s) => `${s.jobName} ${s.pattern} ${s.timezone}`),
    });
    return scheduler;
  }

  /** Releases the connection; the installed schedules stay in Redis and keep firing for workers. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.handleSignals) {
        process.off("SIGTERM", this.signalHandler);
        process.off("SIGINT", this.signalHandler);
      }
      await this.connection.quit().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** Installs the registered jobs' schedules (`coco scheduler`); see {@link Scheduler}. */
export function startScheduler(runtime: JobRuntime, options?: SchedulerOptions): Promise<Scheduler> {
  return Scheduler.start(runtime, options);
}
