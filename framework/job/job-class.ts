import { z } from "zod";
import { CoreJob } from "./core-job.js";
import { JobDefinitionError } from "./errors/index.js";
import {
  checkJobValues,
  type JobSettings,
  resolveSchedulePolicy,
  type SchedulePolicy,
} from "./job-settings.js";

/** A concrete CoreJob subclass: what plugins list in `jobs` and what enqueue and runInline accept. */
export type JobClass<J extends CoreJob = CoreJob> = (new () => J) &
  Omit<typeof CoreJob, "prototype"> & { readonly prototype: J };

/** The argument schema a job class's `execute()` is typed with. */
export type ExecuteArgsOf<C> = C extends { readonly prototype: CoreJob<infer S> } ? S : never;

/**
 * `C` itself when its static `args` is the schema its `execute()` is typed with, otherwise a type no class
 * satisfies, so that `class X extends CoreJob<typeof a> { static args = b }` is a compile error where X is
 * registered (`definePlugin`), enqueued or run inline. `CoreJob.withArgs(schema)` cannot disagree.
 */
export type CheckedJob<C> = C extends { readonly args: infer A }
  ? [A] extends [ExecuteArgsOf<C>]
    ? [ExecuteArgsOf<C>] extends [A]
      ? C
      : JobArgsMismatch<C>
    : JobArgsMismatch<C>
  : C;

/** The error type `CheckedJob` gives a class whose `args` and `execute()` disagree; its text is the hint. */
export interface JobArgsMismatch<C> {
  readonly "static args must be the schema of CoreJob<...>: write `extends CoreJob.withArgs(args)`": C;
}

/** What an enqueue or inline run of job class `C` takes: its schema's input (dates as Date, defaults optional). */
export type JobInput<C extends JobClass> = z.input<C["args"]>;

/** A job name: `<plugin>.<ClassName>`, the plugin part a lowercase identifier. */
export const JOB_NAME = /^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a value is a CoreJob subclass. */
export function isJobClass(value: unknown): value is JobClass {
  return typeof value === "function" && value.prototype instanceof CoreJob;
}

/**
 * Checks a job class's metadata: a `jobName` of the form `<plugin>.<ClassName>` (with the plugin's name
 * when given), `args` a zod object. Throws a {@link JobDefinitionError} naming the problem.
 */
export function checkJobClass(value: unknown, pluginName?: string): JobClass {
  if (!isJobClass(value)) {
    const what = typeof value === "function" ? `class ${value.name}` : String(value);
    throw new JobDefinitionError(`${what} is not a CoreJob subclass`);
  }
  const name = value.jobName;
  if (typeof name !== "string" || !JOB_NAME.test(name)) {
    throw new JobDefinitionError(
      `job class ${value.name} needs static jobName = "<plugin>.<ClassName>" (got ${JSON.stringify(name)})`,
    );
  }
  if (pluginName !== undefined && !name.startsWith(`${pluginName}.`)) {
    throw new JobDefinitionError(
      `job ${name} belongs to plugin "${pluginName}": its name must start with "${pluginName}."`,
    );
  }
  if (!(value.args instanceof z.ZodObject)) {
    throw new JobDefinitionError(`job ${name}: static args must be a zod object (z.object({...}))`);
  }
  checkJobValues(name, { ...classSettings(value), ...classPolicy(value) }, "class");
  checkSchedulable(value, resolveSchedulePolicy(name, classPolicy(value), undefined));
  return value;
}

/**
 * Refuses a schedule the scheduler could not keep: a run it enqueues gets no arguments, so every required
 * argument needs a default; `catchup: all` enqueues one run per missed slot, which `overlap: skip` would
 * refuse as duplicates of each other.
 */
export function checkSchedulable(jobClass: JobClass, policy: SchedulePolicy): void {
  if (policy.schedule === undefined) return;
  const name = jobClass.jobName;
  const parsed = jobClass.args.safeParse({});
  if (!parsed.success) {
    const missing = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "")))].filter(Boolean);
    throw new JobDefinitionError(
      `job ${name}: schedule "${policy.schedule}" needs a default for every argument (a scheduled run gets none), but ${missing.map((m) => `"${m}"`).join(", ")} ${missing.length === 1 ? "has" : "have"} none`,
    );
  }
  if (policy.catchup === "all" && policy.overlap === "skip") {
    throw new JobDefinitionError(
      `job ${name}: catchup "all" needs overlap "allow" (under "skip" the missed runs would be refused as duplicates of each other)`,
    );
  }
}

/** The schedule and its policies a job class declares (undefined where it relies on config or defaults). */
export function classPolicy(jobClass: JobClass): Partial<SchedulePolicy> {
  return {
    schedule: jobClass.schedule,
    timezone: jobClass.timezone,
    catchup: jobClass.catchup,
    catchupWindow: jobClass.catchupWindow,
    overlap: jobClass.overlap,
  };
}

/** The settings a job class declares (undefined where it relies on config or defaults). */
export function classSettings(jobClass: JobClass): Partial<JobSettings> {
  return {
    attempts: jobClass.attempts,
    deferTime: jobClass.deferTime,
    deferMax: jobClass.deferMax,
    errorTime: jobClass.errorTime,
    backoff: jobClass.backoff,
    maxErrorTime: jobClass.maxErrorTime,
    rateLimit: jobClass.rateLimit,
    journal: jobClass.journal,
    priority: jobClass.priority,
    maxParallel: jobClass.maxParallel,
    wallTime: jobClass.wallTime,
    progressInterval: jobClass.progressInterval,
  };
}
