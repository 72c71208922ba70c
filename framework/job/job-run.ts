import { hostname } from "node:os";
import type { CoreJob } from "./core-job.js";
import {
  JobDeferredError,
  JobKilledError,
  WallTimeExceededError,
  WorkerShutdownError,
} from "./errors/index.js";
import type { JobClass } from "./job-class.js";
import { JOB_CONTEXT } from "./job-context.js";
import type { JournalEntry } from "./job-record.js";
import type { JobLogger, JobRuntime } from "./job-runtime.js";
import type { JobSettings } from "./job-settings.js";
import { type JobProgress, ProgressThrottle } from "./progress-throttle.js";

/** How one run ended. `interrupted` means the worker shut down: the job goes back to the queue. */
export type RunState = "complete" | "failed" | "error" | "killed" | "deferred" | "inactive" | "interrupted";

/** What the runner needs to run a job once. */
export interface RunInput {
  /** Process runtime. */
  runtime: JobRuntime;
  /** The job's class. */
  jobClass: JobClass;
  /** Job id. */
  id: string;
  /** Arguments, already parsed to their types. */
  args: unknown;
  /** Arguments as stored (for the journal). */
  storedArgs: Record<string, unknown>;
  /** Runs that already used an attempt. */
  attemptsMade: number;
  /** When the job was enqueued. */
  enqueued: Date;
  /** Resolved settings. */
  settings: JobSettings;
  /** External abort (kill, shutdown); wall time is added by the runner. */
  signal?: AbortSignal;
  /** Writes one progress report (with the sources set so far). */
  writeProgress(progress: JobProgress, sources: readonly string[]): Promise<void>;
  /** Whether this is an inline run. */
  inline: boolean;
}

/** The result of one run. */
export interface RunOutcome {
  /** How it ended. */
  state: RunState;
  /** The error (or defer message) it ended with. */
  error: Error | undefined;
  /** What `execute()` returned. */
  result: unknown;
  /** Run start. */
  started: Date;
  /** Run end. */
  finished: Date;
  /** Last progress reported. */
  progress: JobProgress;
  /** Sources set in the run. */
  sources: string[];
}

/**
 * Runs a job once: creates the instance, hands it its context, calls `initialise()` then `execute(args)`,
 * and classifies the end with core4's rules (defer within `deferMax` → deferred, beyond → inactive; an
 * error with attempts left → failed, else error; kill → killed; wall time → failed or error). A kill or
 * wall time ends the run at once; `execute()` should honour `this.signal` to stop its own work.
 */
export async function runJob(input: RunInput): Promise<RunOutcome> {
  const { runtime, jobClass, settings } = input;
  // Without a wall time the caller's signal is the run's signal; otherwise one of our own that also follows
  // the caller's. (Forwarded by hand: AbortSignal.any() costs ~100 µs per call on Node 20.)
  const external = input.signal;
  const controller = settings.wallTime !== undefined || !external ? new AbortController() : undefined;
  const signal = controller?.signal ?? (external as AbortSignal);
  const forward = (): void => controller?.abort(external?.reason);
  if (controller && external) {
    if (external.aborted) forward();
    else external.addEventListener("abort", forward, { once: true });
  }
  const sources: string[] = [];
  const progress = new ProgressThrottle(settings.progressInterval * 1000, (p) =>
    input.writeProgress(p, sources),
  );
  // Created on first use: most runs of small jobs never log.
  let childLogger: JobLogger | undefined;
  const logger = (): JobLogger =>
    (childLogger ??= runtime.logger.child({ identifier: input.id, qual_name: jobClass.jobName }));
  const job: CoreJob = new jobClass();
  job[JOB_CONTEXT] = {
    runtime,
    id: input.id,
    attempt: input.attemptsMade + 1,
    enqueued: input.enqueued,
    settings,
    signal,
    get logger() {
      return logger();
    },
    sources,
    progress,
    lastProgress: () => progress.current,
  };
  let wallTimer: NodeJS.Timeout | undefined;
  if (settings.wallTime !== undefined) {
    const limit = settings.wallTime;
    wallTimer = setTimeout(
      () =>
        controller?.abort(
          new WallTimeExceededError(`job ${jobClass.jobName} exceeded its wall time of ${limit} s`),
        ),
      limit * 1000,
    );
  }
  const started = new Date();
  let state: RunState;
  let error: Error | undefined;
  let result: unknown;
  try {
    result = await untilAborted(async () => {
      await job.initialise();
      return await job.execute(input.args as Record<string, unknown>);
    }, signal);
    state = "complete";
  } catch (thrown) {
    error = thrown instanceof Error ? thrown : new Error(String(thrown));
    state = classify(error, signal, input, started);
  } finally {
    clearTimeout(wallTimer);
    external?.removeEventListener("abort", forward);
  }
  try {
    await progress.flush();
  } catch (flushError) {
    logger().warn("cannot write the final progress", { reason: String(flushError) });
  }
  const finished = new Date();
  if (state !== "complete" && state !== "interrupted") {
    logger()[state === "deferred" ? "info" : "error"](`job ${state}: ${error?.message ?? ""}`, {
      state,
      ...(error && state !== "deferred"
        ? { error: { name: error.name, message: error.message, stack: error.stack } }
        : {}),
    });
  }
  return {
    state,
    error,
    result,
    started,
    finished,
    progress: progress.current,
    sources: [...new Set(sources)],
  };
}

function classify(error: Error, signal: AbortSignal, input: RunInput, started: Date): RunState {
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof JobKilledError || error instanceof JobKilledError) return "killed";
  if (reason instanceof WorkerShutdownError) return "interrupted";
  if (error instanceof JobDeferredError && !(reason instanceof WallTimeExceededError)) {
    const age = started.getTime() - input.enqueued.getTime();
    return age > input.settings.deferMax * 1000 ? "inactive" : "deferred";
  }
  return input.attemptsMade + 1 < input.settings.attempts ? "failed" : "error";
}

/**
 * Runs `work` unless the signal is already raised, and rejects with the abort reason as soon as it is,
 * without waiting for the work.
 */
function untilAborted<T>(start: () => Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  const work = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      // The job's own code keeps running until it checks the signal; its later failure is not ours.
      work.catch(() => undefined);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (reason: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(reason);
      },
    );
  });
}

/** Seconds between two dates. */
export function seconds(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / 1000;
}

const HOST = hostname();

/** The `sys.journal` document of a finished run. */
export function journalEntry(input: RunInput, outcome: RunOutcome): JournalEntry {
  const usedAttempt = outcome.state === "failed" || outcome.state === "error" || outcome.state === "complete";
  const attempts = input.attemptsMade + (usedAttempt ? 1 : 0);
  return {
    job_id: input.id,
    name: input.jobClass.jobName,
    args: input.storedArgs,
    state: outcome.state === "interrupted" ? "pending" : outcome.state,
    progress: outcome.progress,
    attempts,
    attemptsLeft: Math.max(0, input.settings.attempts - attempts),
    enqueued: input.enqueued,
    started: outcome.started,
    finished: outcome.finished,
    runtime: seconds(outcome.started, outcome.finished),
    sources: outcome.sources,
    error: outcome.error ? outcome.error.message : null,
    hostname: HOST,
    pid: process.pid,
    inline: input.inline,
  };
}
