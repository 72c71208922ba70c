import { z } from "zod";
import { JobDefinitionError } from "./errors/index.js";
import { cronProblem, isTimeZone } from "./schedule-pattern.js";

/**
 * The one schema of a job type's settings (docs/contracts.md "Jobs: metadata and policies"): class values,
 * config `jobs.<name>` and enqueue options are all checked against it, so a value is accepted or refused
 * the same way wherever it is written.
 */
const WHOLE_1 = "must be a whole number >= 1";
const SECONDS_POS = "must be a number of seconds > 0";
const PRIORITY = "must be a whole number from 0 to 2097151";
const seconds = z
  .number({ error: "must be a number of seconds >= 0" })
  .nonnegative({ error: "must be a number of seconds >= 0" });
export const jobSettingsShape = {
  /** Runs that may end in an error before the job turns `error` (core4 default 1). */
  attempts: z.number({ error: WHOLE_1 }).int({ error: WHOLE_1 }).min(1, { error: WHOLE_1 }),
  /** Seconds a deferred job waits before its next run. */
  deferTime: seconds,
  /** Seconds after enqueue beyond which a deferring job turns `inactive`. */
  deferMax: seconds,
  /** Seconds a failed job waits before its retry (the first retry's wait with exponential backoff). */
  errorTime: seconds,
  /** How retries wait: `fixed` (every retry `errorTime`) or `exponential` (`errorTime · 2^(n−1)`, jittered). */
  backoff: z.enum(["fixed", "exponential"], { error: 'must be "fixed" or "exponential"' }),
  /** Longest wait of an exponential backoff, in seconds (default one day). */
  maxErrorTime: z.number({ error: SECONDS_POS }).positive({ error: SECONDS_POS }),
  /** BullMQ priority: 0 (default) is none; otherwise 1 is the highest, larger numbers run later. */
  priority: z
    .number({ error: PRIORITY })
    .int({ error: PRIORITY })
    .min(0, { error: PRIORITY })
    .max(2_097_151, { error: PRIORITY }),
  /**
   * Most runs of this job type at once across all workers (core4 default 15). `Infinity` sets no cap: the
   * pool-wide count is then not kept, which saves a check on every job fetch (measured in `bench:queue`).
   */
  maxParallel: z.union([z.number().int().min(1), z.literal(Number.POSITIVE_INFINITY)], {
    error: "must be a whole number >= 1 or Infinity",
  }),
  /** Seconds a run may take before it is aborted and fails; undefined for no limit. */
  wallTime: z.number({ error: SECONDS_POS }).positive({ error: SECONDS_POS }).optional(),
  /** Seconds between two progress writes; calls in between are dropped. */
  progressInterval: seconds,
  /** At most `max` runs of this type start per `duration` seconds across the whole pool. */
  rateLimit: z
    .strictObject(
      {
        max: z.number({ error: WHOLE_1 }).int({ error: WHOLE_1 }).min(1, { error: WHOLE_1 }),
        duration: z.number({ error: SECONDS_POS }).positive({ error: SECONDS_POS }),
      },
      { error: "must be an object {max, duration}" },
    )
    .optional(),
  /** `all` runs are journaled (default), or only `failures`: runs that did not complete. */
  journal: z.enum(["all", "failures"], { error: 'must be "all" or "failures"' }),
} as const;

/** Schedule policies (docs/contracts.md "Jobs: metadata and policies"). */
export const schedulePolicyShape = {
  /** Cron pattern (5 fields, or 6 with seconds first), read by cron-parser as BullMQ does. */
  schedule: z.string().superRefine((pattern, ctx) => {
    const problem = cronProblem(pattern);
    if (problem) ctx.addIssue({ code: "custom", message: `must be a cron pattern (${problem})` });
  }),
  /** IANA time zone of the pattern. */
  timezone: z.string().refine(isTimeZone, { error: "must be an IANA time zone like Europe/Berlin" }),
  /** After scheduler downtime: one run for all missed slots, none, or one per missed slot. */
  catchup: z.enum(["one", "none", "all"], { error: 'must be "one", "none" or "all"' }),
  /** Seconds back from now within which missed slots are caught up. */
  catchupWindow: seconds,
  /** A slot whose earlier run is still pending or running enqueues nothing (`skip`), or another (`allow`). */
  overlap: z.enum(["skip", "allow"], { error: 'must be "skip" or "allow"' }),
} as const;

/** Run settings of a job type, after applying defaults, class values, config and enqueue options. */
export interface JobSettings {
  attempts: number;
  deferTime: number;
  deferMax: number;
  errorTime: number;
  backoff: "fixed" | "exponential";
  maxErrorTime: number;
  priority: number;
  maxParallel: number;
  wallTime: number | undefined;
  progressInterval: number;
  rateLimit: { max: number; duration: number } | undefined;
  journal: "all" | "failures";
}

/** The schedule of a job type and its policies. */
export interface SchedulePolicy {
  schedule: string | undefined;
  timezone: string;
  catchup: "one" | "none" | "all";
  catchupWindow: number;
  overlap: "skip" | "allow";
}

/** The keys an enqueue may set (core4: enqueue arguments win over config and class). */
const ENQUEUE_KEYS = [
  "attempts",
  "deferTime",
  "deferMax",
  "errorTime",
  "backoff",
  "maxErrorTime",
  "priority",
  "wallTime",
  "progressInterval",
] as const;

/** Settings that may be given per enqueue. */
export type EnqueueSettings = Partial<Pick<JobSettings, (typeof ENQUEUE_KEYS)[number]>>;

type OptionalShape<T extends Record<string, z.ZodType>> = { [K in keyof T]: z.ZodOptional<T[K]> };

function optionalShape<T extends Record<string, z.ZodType>>(shape: T): OptionalShape<T> {
  return Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, v.optional()])) as OptionalShape<T>;
}

/** Every setting a class or config may give, all optional (config may disable a schedule with null). */
export const jobOverrideSchema = z.strictObject({
  ...optionalShape(jobSettingsShape),
  ...optionalShape(schedulePolicyShape),
  schedule: schedulePolicyShape.schedule.nullable().optional(),
});

/** Per-job values from class or config (`jobs.<name>`). */
export type JobOverride = z.output<typeof jobOverrideSchema>;

const enqueueSchema = jobOverrideSchema.pick(
  Object.fromEntries(ENQUEUE_KEYS.map((k) => [k, true])) as Record<(typeof ENQUEUE_KEYS)[number], true>,
);

/** core4's defaults. */
export const DEFAULT_JOB_SETTINGS: Readonly<JobSettings> = Object.freeze({
  attempts: 1,
  deferTime: 300,
  deferMax: 3600,
  errorTime: 600,
  backoff: "fixed",
  maxErrorTime: 86_400,
  priority: 0,
  maxParallel: 15,
  wallTime: undefined,
  progressInterval: 5,
  rateLimit: undefined,
  journal: "all",
});

/** Default schedule policies. */
export const DEFAULT_SCHEDULE_POLICY: Readonly<SchedulePolicy> = Object.freeze({
  schedule: undefined,
  timezone: "UTC",
  catchup: "one",
  catchupWindow: 86_400,
  overlap: "skip",
});

const SETTING_KEYS = Object.keys(DEFAULT_JOB_SETTINGS) as (keyof JobSettings)[];
const POLICY_KEYS = Object.keys(DEFAULT_SCHEDULE_POLICY) as (keyof SchedulePolicy)[];

/**
 * Checks values against the schema; throws a {@link JobDefinitionError} naming the job, where the value
 * came from and the key (`job t.X: setting "rateLimit.max" (config) expected a whole number >= 1, got 0`).
 */
export function checkJobValues(
  jobName: string,
  values: Readonly<Record<string, unknown>>,
  origin: "class" | "config" | "enqueue",
): JobOverride {
  const schema = origin === "enqueue" ? enqueueSchema : jobOverrideSchema;
  const defined = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
  const result = schema.safeParse(defined);
  if (result.success) return result.data as JobOverride;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  const key = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    throw new JobDefinitionError(
      `job ${jobName}: unknown setting ${keys.map((k) => `"${k}"`).join(", ")} (${origin}); known: ${Object.keys(schema.shape).join(", ")}`,
    );
  }
  const given = issue.path.reduce<unknown>(
    (value, part) =>
      value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[part] : undefined,
    defined,
  );
  throw new JobDefinitionError(
    `job ${jobName}: setting "${key}" (${origin}) ${issue.message}, got ${JSON.stringify(given) ?? String(given)}`,
  );
}

/**
 * Merges settings with core4's precedence: enqueue options > config at the job's name > class values >
 * defaults. Undefined values at a level fall through to the next. Each level is checked against the one
 * schema first.
 */
export function resolveSettings(
  jobName: string,
  classValues: Partial<JobSettings>,
  configValues: Readonly<Record<string, unknown>> | undefined,
  enqueueValues: EnqueueSettings | undefined,
): JobSettings {
  const levels: [Readonly<Record<string, unknown>>, "class" | "config" | "enqueue"][] = [
    [classValues, "class"],
    [configValues ?? {}, "config"],
    [enqueueValues ?? {}, "enqueue"],
  ];
  const out: Record<string, unknown> = { ...DEFAULT_JOB_SETTINGS };
  for (const [values, origin] of levels) {
    const relevant = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => v !== undefined && (SETTING_KEYS as string[]).includes(k)),
    );
    if (Object.keys(relevant).length === 0) continue;
    const checked = checkJobValues(jobName, relevant, origin) as Record<string, unknown>;
    for (const key of SETTING_KEYS) if (checked[key] !== undefined) out[key] = checked[key];
  }
  return out as unknown as JobSettings;
}

/** Settings with enqueue options applied over already resolved ones (only the options are checked). */
export function withEnqueueSettings(
  jobName: string,
  base: Readonly<JobSettings>,
  enqueueValues: EnqueueSettings | undefined,
): JobSettings {
  const given = Object.entries(enqueueValues ?? {}).filter(([, v]) => v !== undefined);
  if (given.length === 0) return base;
  const checked = checkJobValues(jobName, Object.fromEntries(given), "enqueue") as Record<string, unknown>;
  const out: Record<string, unknown> = { ...base };
  for (const key of SETTING_KEYS) if (checked[key] !== undefined) out[key] = checked[key];
  return out as unknown as JobSettings;
}

/** The schedule policy of a job type: config over class over defaults; a `null` schedule disables it. */
export function resolveSchedulePolicy(
  jobName: string,
  classValues: Partial<SchedulePolicy>,
  configValues: Readonly<Record<string, unknown>> | undefined,
): SchedulePolicy {
  const out: Record<string, unknown> = { ...DEFAULT_SCHEDULE_POLICY };
  for (const [values, origin] of [
    [classValues, "class"],
    [configValues ?? {}, "config"],
  ] as const) {
    const relevant = Object.fromEntries(
      Object.entries(values).filter(([k, v]) => v !== undefined && (POLICY_KEYS as string[]).includes(k)),
    );
    if (Object.keys(relevant).length === 0) continue;
    const checked = checkJobValues(jobName, relevant, origin) as Record<string, unknown>;
    for (const key of POLICY_KEYS) if (checked[key] !== undefined) out[key] = checked[key];
    if (checked.schedule === null) out.schedule = undefined;
  }
  return out as unknown as SchedulePolicy;
}
