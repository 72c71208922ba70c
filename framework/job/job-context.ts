import type { JobLogger, JobRuntime } from "./job-runtime.js";
import type { JobSettings } from "./job-settings.js";
import type { JobProgress, ProgressThrottle } from "./progress-throttle.js";
import type { RunControl } from "./run-control.js";

/** Key under which the runner hands a job instance its context; not part of the public API. */
export const JOB_CONTEXT: unique symbol = Symbol("core4ts.jobContext");

/** What the runner gives a job instance for one run. */
export interface JobContext {
  /** Process runtime (config, MongoDB, logger). */
  readonly runtime: JobRuntime;
  /** Job id (BullMQ id, or a fresh one for inline runs). */
  readonly id: string;
  /** 1-based number of this run among the runs that used an attempt. */
  readonly attempt: number;
  /** When the job was enqueued. */
  readonly enqueued: Date;
  /** Resolved settings of this run. */
  readonly settings: JobSettings;
  /** Abort state: raised on kill, wall time or worker shutdown. */
  readonly control: RunControl;
  /** Child logger bound to the job's id and name. */
  readonly logger: JobLogger;
  /** Sources set with setSource(), in order. */
  readonly sources: string[];
  /** Progress writer with core4's throttle. */
  readonly progress: ProgressThrottle;
  /** The progress last reported, for the run's record. */
  lastProgress(): JobProgress;
}
