import type { JobOverride } from "../config/index.js";
import { JobDefinitionError } from "./errors/index.js";

/** Run settings of a job type, after applying defaults, class values, config and enqueue options. */
export interface JobSettings {
  /** Runs that may end in an error before the job turns `error` (core4 default 1). */
  attempts: number;
  /** Seconds a deferred job waits before its next run. */
  deferTime: number;
  /** Seconds after enqueue beyond which a deferring job turns `inactive`. */
  deferMax: number;
  /** Seconds a failed job waits before its retry. */
  errorTime: number;
  /** BullMQ priority: 0 (default) is none; otherwise 1 is the highest, larger numbers run later. */
  priority: number;
  /**
   * Most runs of this job type at once across all workers (core4 default 15). `Infinity` sets no cap: the
   * pool-wide count is then not kept, which saves a check on every job fetch (measured in `bench:queue`).
   */
  maxParallel: number;
  /** Seconds a run may take before it is aborted and fails; undefined for no limit. */
  wallTime: number | undefined;
  /** Seconds between two progress writes; calls in between are dropped. */
  progressInterval: number;
}

/** Settings that may be given per enqueue (core4: enqueue arguments win over config and class). */
export type EnqueueSettings = Partial<
  Pick<
    JobSettings,
    "attempts" | "deferTime" | "deferMax" | "errorTime" | "priority" | "wallTime" | "progressInterval"
  >
>;

/** core4's defaults. */
export const DEFAULT_JOB_SETTINGS: Readonly<JobSettings> = Object.freeze({
  attempts: 1,
  deferTime: 300,
  deferMax: 3600,
  errorTime: 600,
  priority: 0,
  maxParallel: 15,
  wallTime: undefined,
  progressInterval: 5,
});

const KEYS = Object.keys(DEFAULT_JOB_SETTINGS) as (keyof JobSettings)[];

/**
 * Merges settings with core4's precedence: enqueue options > config at the job's name > class values >
 * defaults. Undefined values at a level fall through to the next.
 */
export function resolveSettings(
  jobName: string,
  classValues: Partial<JobSettings>,
  configValues: JobOverride | undefined,
  enqueueValues: EnqueueSettings | undefined,
): JobSettings {
  const out: Record<string, unknown> = { ...DEFAULT_JOB_SETTINGS };
  for (const level of [classValues, configValues ?? {}, enqueueValues ?? {}] as Record<string, unknown>[]) {
    for (const key of KEYS) {
      if (level[key] !== undefined) out[key] = level[key];
    }
  }
  const settings = out as unknown as JobSettings;
  checkSettings(jobName, settings);
  return settings;
}

function checkSettings(jobName: string, s: JobSettings): void {
  const positiveInt = (key: keyof JobSettings, min: number): void => {
    const v = s[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new JobDefinitionError(
        `job ${jobName}: setting "${key}" must be an integer >= ${min}, got ${String(v)}`,
      );
    }
  };
  const nonNegative = (key: keyof JobSettings): void => {
    const v = s[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new JobDefinitionError(
        `job ${jobName}: setting "${key}" must be a number >= 0, got ${String(v)}`,
      );
    }
  };
  positiveInt("attempts", 1);
  if (s.maxParallel !== Number.POSITIVE_INFINITY) positiveInt("maxParallel", 1);
  positiveInt("priority", 0);
  nonNegative("deferTime");
  nonNegative("deferMax");
  nonNegative("errorTime");
  nonNegative("progressInterval");
  if (s.wallTime !== undefined) nonNegative("wallTime");
}
