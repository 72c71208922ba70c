import { type JobRuntime, nextSlots, type SchedulePolicy } from "../job/index.js";
import { JobRegistry } from "../run/index.js";
import type { RedisClient as Redis } from "./redis-connection.js";
import { type LastScheduledRun, ScheduleStore } from "./schedule-store.js";

/** A schedule as `coco schedules` and `GET /core4/api/v1/schedules` show it. */
export interface ScheduleView {
  /** Job name. */
  jobName: string;
  /** Cron pattern. */
  pattern: string;
  /** IANA time zone of the pattern. */
  timezone: string;
  /** The next three slots (from cron-parser). */
  next: Date[];
  /** The last slot a scheduler handled, the job it enqueued (null when it skipped) and why. */
  last: LastScheduledRun | null;
  /** Catch-up and overlap policies. */
  policy: Pick<SchedulePolicy, "catchup" | "catchupWindow" | "overlap">;
}

/** The registered schedules with their next three slots and the last slot a scheduler handled. */
export async function describeSchedules(
  runtime: JobRuntime,
  connection: Redis,
  now: Date = new Date(),
): Promise<ScheduleView[]> {
  const registry = JobRegistry.of(runtime);
  const store = new ScheduleStore(connection, runtime.config.core.redis.prefix);
  const views: ScheduleView[] = [];
  for (const jobClass of registry.all()) {
    const policy = JobRegistry.schedulePolicy(runtime, jobClass);
    if (policy.schedule === undefined) continue;
    const state = await store.read(jobClass.jobName);
    views.push({
      jobName: jobClass.jobName,
      pattern: policy.schedule,
      timezone: policy.timezone,
      next: nextSlots(policy.schedule, policy.timezone, now, 3),
      last: state?.last ?? null,
      policy: { catchup: policy.catchup, catchupWindow: policy.catchupWindow, overlap: policy.overlap },
    });
  }
  return views;
}
