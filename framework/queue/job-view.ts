import type { Job } from "bullmq";
import type { JobRecord, JobState } from "../run/index.js";
import type { QueueJobData, QueueJobProgress, QueueJobResult } from "./queue-data.js";

/** A BullMQ job of a core4ts queue. */
export type QueueJob = Job<QueueJobData, QueueJobResult | undefined, string>;

/** BullMQ's state names, as `getState()` returns them. */
export type BullState = Awaited<ReturnType<QueueJob["getState"]>>;

/**
 * Maps a BullMQ job and its BullMQ state to core4's state: a delayed job is `deferred` (its last run
 * deferred), `failed` (an error with attempts left) or `pending` (enqueued with a delay); a failed job is
 * `killed`, `inactive` or `error`.
 */
export function coreState(
  job: Pick<QueueJob, "data" | "attemptsStarted" | "attemptsMade" | "failedReason">,
  bullState: BullState,
): JobState | undefined {
  const mark = job.data?.mark;
  const marked = mark !== undefined && mark.at === job.attemptsStarted ? mark.state : undefined;
  switch (bullState) {
    case "active":
      return "running";
    case "waiting":
    case "prioritized":
    case "waiting-children":
      return "pending";
    case "delayed":
      if (marked === "deferred") return "deferred";
      return job.attemptsMade > 0 && job.failedReason ? "failed" : "pending";
    case "completed":
      return "complete";
    case "failed":
      return marked === "killed" || marked === "inactive" ? marked : "error";
    default:
      return undefined;
  }
}

/** The record of a BullMQ job in a given core4 state. */
export function recordOf(job: QueueJob, state: JobState): JobRecord {
  const progress = normaliseProgress(job.progress);
  // A job that completed without ever reporting progress is done: 100 %, not 0 %.
  if (state === "complete" && progress.value === 0 && progress.message === null) progress.value = 1;
  const started = job.processedOn ? new Date(job.processedOn) : null;
  const finished = job.finishedOn ? new Date(job.finishedOn) : null;
  const mark = job.data?.mark && job.data.mark.at === job.attemptsStarted ? job.data.mark : undefined;
  const maxAttempts = job.opts.attempts ?? 1;
  const sources = job.returnvalue?.sources ?? mark?.sources ?? progress.sources ?? [];
  let error: string | null = null;
  if (state === "deferred" || state === "killed" || state === "inactive") error = mark?.message ?? null;
  else if (state === "failed" || state === "error") error = job.failedReason || null;
  const end = finished ?? (state === "running" ? new Date() : null);
  return {
    id: String(job.id),
    name: job.name,
    args: job.data?.args ?? {},
    state,
    progress: { value: progress.value, message: progress.message },
    attempts: job.attemptsMade,
    attemptsLeft: Math.max(0, maxAttempts - job.attemptsMade),
    enqueued: new Date(job.timestamp),
    started,
    finished: state === "running" ? null : finished,
    runtime: started && end && end >= started ? (end.getTime() - started.getTime()) / 1000 : null,
    sources,
    error,
  };
}

function normaliseProgress(progress: unknown): QueueJobProgress {
  if (typeof progress === "number") return { value: progress > 1 ? progress / 100 : progress, message: null };
  if (progress && typeof progress === "object" && "value" in progress) {
    const p = progress as QueueJobProgress;
    return { value: Number(p.value) || 0, message: p.message ?? null, sources: p.sources };
  }
  return { value: 0, message: null };
}
