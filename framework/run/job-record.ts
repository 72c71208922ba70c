import type { JobProgress } from "../job/progress-throttle.js";

/** core4's job states. */
export type JobState =
  | "pending"
  | "running"
  | "deferred"
  | "failed"
  | "error"
  | "inactive"
  | "killed"
  | "complete";

/** All job states, in lifecycle order. */
export const JOB_STATES: readonly JobState[] = [
  "pending",
  "running",
  "deferred",
  "failed",
  "error",
  "inactive",
  "killed",
  "complete",
];

/** A job as `coco jobs`, `coco job <id>` and the jobs API show it. */
export interface JobRecord {
  /** Job id. */
  id: string;
  /** Job name, `<plugin>.<ClassName>`. */
  name: string;
  /** Arguments as stored (dates as ISO strings). */
  args: Record<string, unknown>;
  /** core4 state. */
  state: JobState;
  /** Last progress written. */
  progress: JobProgress;
  /** Runs that used an attempt so far. */
  attempts: number;
  /** Attempts still available. */
  attemptsLeft: number;
  /** When it was enqueued. */
  enqueued: Date | null;
  /** When its last run started. */
  started: Date | null;
  /** When its last run finished. */
  finished: Date | null;
  /** Seconds the last run took (so far, while running). */
  runtime: number | null;
  /** Sources the last run set. */
  sources: string[];
  /** Last error or defer message, null when none. */
  error: string | null;
  /** Present when its worker died and no one runs it until a stalled check takes it back (state pending). */
  workerLost?: true;
  /**
   * When a job waiting for a time runs next: a failed job's retry (after its backoff), a deferred job's
   * next run, a delayed enqueue's start. Null when it waits for no time; absent on journal entries.
   */
  nextTry?: Date | null;
}

/** One finished run in `sys.journal`. */
export interface JournalEntry extends Omit<JobRecord, "id"> {
  /**
   * The run's id, {@link journalRunId}: the same run always gets the same one, so writing an entry again (a
   * retried batch, a run recovered from BullMQ's record) stores it once. First in the document, as MongoDB
   * stores it.
   */
  _id: string;
  /** The job id (several runs of a job share it). */
  job_id: string;
  /** Host that ran it. */
  hostname: string;
  /** Process id that ran it. */
  pid: number;
  /** Whether it ran inline (`coco run`) rather than on a worker. */
  inline: boolean;
  /**
   * Written from BullMQ's record by another worker, because the one that ran it ended before its journal
   * write (killed with -9, or failed by BullMQ for stalling): `hostname` and `pid` are then unknown ("", 0).
   */
  recovered?: boolean;
}

/**
 * The journal id of one run: the job id, the job's enqueue time (a restarted job is enqueued anew under the
 * same id) and the run's number (BullMQ counts every start, deferred and stalled ones included), plus a tag
 * for entries that are not runs (a kill of a waiting job).
 */
export function journalRunId(jobId: string, enqueued: Date, run: number, tag?: string): string {
  return `${jobId}:${enqueued.getTime()}:${run}${tag ? `:${tag}` : ""}`;
}

/** The record view of a journal entry. */
export function recordOfEntry(entry: JournalEntry): JobRecord {
  return {
    id: entry.job_id,
    name: entry.name,
    args: entry.args,
    state: entry.state,
    progress: entry.progress,
    attempts: entry.attempts,
    attemptsLeft: entry.attemptsLeft,
    enqueued: entry.enqueued,
    started: entry.started,
    finished: entry.finished,
    runtime: entry.runtime,
    sources: entry.sources,
    error: entry.error,
  };
}
