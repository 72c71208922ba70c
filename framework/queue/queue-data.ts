import type { EnqueueSettings, JobProgress } from "../job/index.js";

/** How a run that BullMQ cannot tell apart ended (BullMQ only knows delayed and failed). */
export interface RunMark {
  /** core4 state of the run. */
  state: "deferred" | "killed" | "inactive";
  /** BullMQ `attemptsStarted` of that run: a later run makes the mark stale. */
  at: number;
  /** Defer message or kill reason. */
  message: string;
  /** Sources the run set. */
  sources: string[];
}

/** The `data` of a core4ts job in BullMQ. */
export interface QueueJobData {
  /** Arguments (dates as ISO strings). */
  args: Record<string, unknown>;
  /** Whether `args` is the schema's output, validated at enqueue (a schedule's template is not). */
  validated?: boolean;
  /** Settings given at enqueue (they win over config and class). */
  settings?: EnqueueSettings;
  /** Set by a run that ended deferred, killed or inactive. */
  mark?: RunMark;
}

/** The BullMQ progress of a core4ts job. */
export interface QueueJobProgress extends JobProgress {
  /** Sources set so far. */
  sources?: string[];
}

/** The BullMQ return value of a complete run. */
export interface QueueJobResult {
  /** Sources the run set. */
  sources: string[];
}
