import { Queue } from "bullmq";
import {
  type JobClass,
  JobExistsError,
  type JobRuntime,
  nextSlots,
  type SchedulePolicy,
  slotsBetween,
} from "../job/index.js";
import { JobRegistry } from "../run/index.js";
import { JobQueue } from "./job-queue.js";
import { queueNameOf } from "./queue-keys.js";
import type { RedisClient as Redis } from "./redis-connection.js";
import { createRedis, watchRedisErrors } from "./redis-connection.js";
import { type ScheduleState, ScheduleStore } from "./schedule-store.js";

/** One job type's schedule as installed. */
export interface InstalledSchedule {
  /** Job name. */
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
  /** Longest pause in milliseconds between two checks of the schedules (default 1,000); 0: no timer, call `tick()`. */
  interval?: number;
  /** The clock, in epoch milliseconds (default `Date.now`); tests pass their own. */
  now?: () => number;
}

/** Most runs `catchup: all` enqueues for one downtime. */
export const MAX_CATCHUP_RUNS = 100;

/** A gap between two checks longer than this (or 5 intervals) is scheduler downtime, not a late or stalled check. */
const DOWNTIME_MS = 15_000;

interface Scheduled {
  jobClass: JobClass;
  policy: SchedulePolicy & { schedule: string };
}

/**
 * Enqueues every registered job's `schedule` (class value, or config `jobs.<name>.schedule`; `null`
 * disables) on time, with the job's schedule policies (docs/contracts.md "Jobs: metadata and policies"):
 *
 * - Each check reads, per job type, the time through which slots were handled from Redis, takes the slots
 *   since then from cron-parser, and claims them with a compare-and-set: several schedulers (one per host)
 *   enqueue every slot once.
 * - A gap longer than a few seconds since the last check is downtime: the slots in it are missed, and
 *   `catchup` decides (`one` run for all of them, `none`, or `all`: one per slot within `catchupWindow`,
 *   at most 100). A schedule seen for the first time, or whose pattern changed, starts from now.
 * - `overlap: skip` enqueues through the duplicate rule: a slot whose earlier run is still pending or
 *   running enqueues nothing. `allow` enqueues anyway.
 *
 * The schedules are kept by this process: while no scheduler runs, nothing is enqueued.
 */
export class Scheduler {
  private closing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private failing = false;
  private readonly signalHandler = (): void => {
    void this.close();
  };

  private constructor(
    private readonly runtime: JobRuntime,
    private readonly connection: Redis,
    private readonly store: ScheduleStore,
    private readonly queue: JobQueue,
    private readonly scheduled: readonly Scheduled[],
    private readonly options: Required<Omit<SchedulerOptions, "handleSignals">> & { handleSignals: boolean },
  ) {}

  /** Installs the schedules and starts checking them; see the class description. */
  static async start(runtime: JobRuntime, options: SchedulerOptions = {}): Promise<Scheduler> {
    const registry = JobRegistry.of(runtime);
    const prefix = runtime.config.core.redis.prefix;
    const scheduled: Scheduled[] = [];
    for (const jobClass of registry.all()) {
      const policy = JobRegistry.schedulePolicy(runtime, jobClass);
      if (policy.schedule !== undefined)
        scheduled.push({ jobClass, policy: { ...policy, schedule: policy.schedule } });
    }
    const connection = createRedis(runtime.redisUrl, "core4.scheduler", runtime.logger);
    try {
      // Earlier versions installed BullMQ job schedulers, which would fire beside this one.
      for (const jobClass of registry.all()) {
        const bull = new Queue(queueNameOf(jobClass.jobName), { connection, prefix });
        watchRedisErrors(bull, `queue ${jobClass.jobName}`, runtime.logger, runtime.redisUrl);
        try {
          await bull.removeJobScheduler(jobClass.jobName);
        } finally {
          await bull.close();
        }
      }
    } catch (error) {
      await connection.quit().catch(() => undefined);
      throw error;
    }
    const interval = options.interval ?? 1_000;
    if (!Number.isFinite(interval) || interval < 0) {
      await connection.quit().catch(() => undefined);
      throw new Error(`scheduler interval must be a number of milliseconds >= 0, got ${interval}`);
    }
    const scheduler = new Scheduler(
      runtime,
      connection,
      new ScheduleStore(connection, prefix),
      new JobQueue(runtime),
      scheduled,
      { interval, now: options.now ?? Date.now, handleSignals: options.handleSignals ?? false },
    );
    try {
      await scheduler.tick();
    } catch (error) {
      await scheduler.close();
      throw error;
    }
    if (scheduler.options.handleSignals) {
      process.once("SIGTERM", scheduler.signalHandler);
      process.once("SIGINT", scheduler.signalHandler);
    }
    runtime.logger.info("schedules installed", {
      schedules: scheduled.map((s) => `${s.jobClass.jobName} ${s.policy.schedule} ${s.policy.timezone}`),
    });
    scheduler.plan();
    return scheduler;
  }

  /** The schedules this scheduler keeps, with their next slot. */
  get schedules(): InstalledSchedule[] {
    const now = new Date(this.options.now());
    return this.scheduled.map(({ jobClass, policy }) => ({
      jobName: jobClass.jobName,
      pattern: policy.schedule,
      timezone: policy.timezone,
      next: nextSlots(policy.schedule, policy.timezone, now, 1)[0] ?? null,
    }));
  }

  /**
   * Checks every schedule once at the clock's time and enqueues what is due. The timer calls it; with
   * `interval: 0` the caller does (tests with a controlled clock). Checks never overlap.
   */
  tick(): Promise<void> {
    this.ticking ??= this.check().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private plan(): void {
    if (this.options.interval === 0 || this.closing) return;
    const now = this.options.now();
    const due = Math.min(...this.schedules.map((s) => s.next?.getTime() ?? Number.POSITIVE_INFINITY));
    const wait = Math.max(20, Math.min(this.options.interval, due - now));
    this.timer = setTimeout(() => {
      void this.tick()
        .then(() => {
          if (this.failing) this.runtime.logger.info("schedules checked again");
          this.failing = false;
        })
        .catch((error: unknown) => {
          // Once per outage, not once per check: Redis being away is one event.
          if (!this.failing) {
            this.runtime.logger.warn("cannot check the schedules", {
              reason: error instanceof Error ? error.message : String(error),
            });
          }
          this.failing = true;
        })
        .finally(() => this.plan());
    }, wait);
  }

  private async check(): Promise<void> {
    const now = this.options.now();
    for (const entry of this.scheduled) await this.checkOne(entry, now);
  }

  private async checkOne({ jobClass, policy }: Scheduled, now: number): Promise<void> {
    const name = jobClass.jobName;
    const state = await this.store.read(name);
    const fingerprint = `${policy.schedule} ${policy.timezone}`;
    if (!state || state.fingerprint !== fingerprint) {
      // A new or changed schedule starts from now: nothing before it was ever due.
      await this.store.claim(name, state?.checked, { checked: now, fingerprint });
      return;
    }
    if (now <= state.checked) return;
    const slots = this.dueSlots(policy, state, now);
    if (!(await this.store.claim(name, state.checked, { checked: now, fingerprint }))) return;
    for (const slot of slots) await this.enqueue(name, policy, slot);
  }

  /** The slots to enqueue for the time since the last check, after the catch-up policy. */
  private dueSlots(policy: Scheduled["policy"], state: ScheduleState, now: number): Date[] {
    const tolerance = Math.max(DOWNTIME_MS, 5 * this.options.interval);
    const window = policy.catchupWindow * 1000;
    const from = Math.max(state.checked, now - Math.max(window, tolerance));
    const slots = slotsBetween(
      policy.schedule,
      policy.timezone,
      new Date(from),
      new Date(now),
      MAX_CATCHUP_RUNS + 10,
    );
    if (now - state.checked <= tolerance) return slots;
    // Downtime: slots that came while no scheduler checked are missed; the latest within the tolerance are
    // just late.
    const onTime = slots.filter((s) => now - s.getTime() <= tolerance);
    const missed = slots.filter((s) => now - s.getTime() > tolerance && now - s.getTime() <= window);
    const caught =
      policy.catchup === "none"
        ? []
        : policy.catchup === "one"
          ? missed.slice(-1)
          : missed.slice(-MAX_CATCHUP_RUNS);
    if (missed.length) {
      this.runtime.logger.info(`schedule of ${this.nameOf(policy)}: ${missed.length} slot(s) missed`, {
        catchup: policy.catchup,
        enqueued: caught.length,
      });
    }
    return [...caught, ...onTime];
  }

  private nameOf(policy: Scheduled["policy"]): string {
    return this.scheduled.find((s) => s.policy === policy)?.jobClass.jobName ?? "";
  }

  private async enqueue(name: string, policy: Scheduled["policy"], slot: Date): Promise<void> {
    try {
      const record = await this.queue.enqueueScheduled(name, policy.overlap === "skip");
      await this.store.recordLast(name, { slot, id: record.id, outcome: "enqueued", reason: null });
      this.runtime.logger.info(`scheduled ${name} enqueued as ${record.id}`, {
        slot: slot.toISOString(),
        job_id: record.id,
      });
    } catch (error) {
      if (!(error instanceof JobExistsError)) {
        this.runtime.logger.error(`scheduled ${name} could not be enqueued`, {
          slot: slot.toISOString(),
          reason: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      const reason = `still queued as ${error.existingId}`;
      await this.store.recordLast(name, { slot, id: null, outcome: "skipped", reason });
      this.runtime.logger.info(`scheduled ${name} skipped: ${reason}`, { slot: slot.toISOString() });
    }
  }

  /** Stops checking and releases the connections. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.timer);
      if (this.options.handleSignals) {
        process.off("SIGTERM", this.signalHandler);
        process.off("SIGINT", this.signalHandler);
      }
      await this.ticking?.catch(() => undefined);
      await this.queue.close();
      await this.connection.quit().catch(() => undefined);
    })();
    return this.closing;
  }
}

/** Installs the registered jobs' schedules and keeps them (`coco scheduler`); see {@link Scheduler}. */
export function startScheduler(runtime: JobRuntime, options?: SchedulerOptions): Promise<Scheduler> {
  return Scheduler.start(runtime, options);
}
