import type { RawJobArgs } from "../../framework/job/index.js";
import type {
  BulkOutcome,
  EnqueueOptions,
  EnqueueResult,
  JobSelection,
  ScheduleView,
} from "../../framework/queue/index.js";
import type { JobRecord, JobState } from "../../framework/run/index.js";

/** Filter of {@link JobsApi.list}. */
export interface JobsListFilter {
  state?: JobState | readonly JobState[];
  name?: string;
  limit?: number;
}

/**
 * The queue operations the jobs API calls. The framework's `JobQueue` satisfies it; the server depends on
 * this shape only.
 */
export interface JobsApi {
  /** Enqueues a registered job with raw arguments (validated by the job's schema). */
  enqueue(job: string, args?: RawJobArgs, options?: EnqueueOptions): Promise<JobRecord>;
  /** Enqueues many jobs of one type, with a result per item. */
  enqueueMany(
    job: string,
    argsList: readonly RawJobArgs[],
    options?: EnqueueOptions,
  ): Promise<EnqueueResult[]>;
  /** A job by id (live or from the journal). */
  get(id: string): Promise<JobRecord>;
  /** Jobs in the queue, newest first. */
  list(filter?: JobsListFilter): Promise<JobRecord[]>;
  /** Kills a pending, deferred, failed or running job. */
  kill(id: string): Promise<JobRecord>;
  /** Runs an error, killed, inactive, failed or deferred job again. */
  restart(id: string): Promise<JobRecord>;
  /** Removes a job that is not running. */
  remove(id: string): Promise<void>;
  /** Restarts every job of a name in a state (bulk redrive). */
  restartMatching(selection: JobSelection): Promise<BulkOutcome>;
  /** Removes every job of a name in a state. */
  removeMatching(selection: JobSelection): Promise<BulkOutcome>;
  /** The registered schedules. */
  schedules(): Promise<ScheduleView[]>;
}
