import { hostname } from "node:os";
import type { CoreJob } from "../job/core-job.js";
import {
  JobDeferredError,
  JobKilledError,
  WallTimeExceededError,
  WorkerShutdownError,
} from "../job/errors/index.js";
import type { JobClass } from "../job/job-class.js";
import { JOB_CONTEXT, type JobContext } from "../job/job-context.js";
import type { JobLogger, JobRuntime } from "../job/job-runtime.js";
import type { JobSettings } from "../job/job-settings.js";
import { type JobProgress, ProgressThrottle } from "../job/progress-throttle.js";
import type { RunControl } from "../job/run-control.js";
import { type JournalEntry, journalRunId } from "./job-record.js";
import { isServiceOutage } from "./service-outage.js";

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
  /** Which start of the job this is (1 for the first; BullMQ's `attemptsStarted`). */
  run: number;
  /** Resolved settings. */
  settings: JobSettings;
  /** Abort state of the run (kill, shutdown); the runner adds the wall time to it. */
  control: RunControl;
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
  /** Deferred because MongoDB or Redis could not be reached, not by the job ({@link isServiceOutage}). */
  outage?: boolean;
}

const NO_PROGRESS: JobProgress = Object.freeze({ value: 0, message: null });
const DONE: JobProgress = Object.freeze({ value: 1, message: null });

/**
 * One run of a job, and the context its instance sees. Written as a class with prototype methods rather
 * than closures: the worker creates one per job, so per-run allocations are kept few.
 */
class JobRun implements JobContext {
  readonly runtime: JobRuntime;
  readonly id: string;
  readonly attempt: number;
  readonly enqueued: Date;
  readonly settings: JobSettings;
  readonly control: RunControl;
  readonly sources: string[] = [];
  private throttle: ProgressThrottle | undefined;
  private childLogger: JobLogger | undefined;
  private rejectRun: ((reason: unknown) => void) | undefined;

  constructor(private readonly input: RunInput) {
    this.runtime = input.runtime;
    this.id = input.id;
    this.attempt = input.attemptsMade + 1;
    this.enqueued = input.enqueued;
    this.settings = input.settings;
    this.control = input.control;
  }

  /** Child logger, created on first use: most runs of small jobs never log. */
  get logger(): JobLogger {
    this.childLogger ??= this.runtime.logger.child({
      identifier: this.id,
      qual_name: this.input.jobClass.jobName,
    });
    return this.childLogger;
  }

  /** Progress writer, created on the first report. */
  get progress(): ProgressThrottle {
    this.throttle ??= new ProgressThrottle(
      this.settings.progressInterval * 1000,
      this.writeProgress.bind(this),
    );
    return this.throttle;
  }

  lastProgress(): JobProgress {
    return this.throttle?.current ?? NO_PROGRESS;
  }

  async run(): Promise<RunOutcome> {
    const { jobClass, settings } = this.input;
    const job: CoreJob = new jobClass();
    job[JOB_CONTEXT] = this;
    const wallTimer =
      settings.wallTime === undefined
        ? undefined
        : setTimeout(this.wallTimeExceeded.bind(this), settings.wallTime * 1000);
    const started = new Date();
    let state: RunState;
    let error: Error | undefined;
    let result: unknown;
    let unsubscribe: (() => void) | undefined;
    let outage = false;
    try {
      this.control.throwIfAborted();
      const work = this.work(job);
      // Settle at once on abort (kill, wall time, shutdown), without waiting for the job's own code.
      unsubscribe = this.control.onAbort(this.abortRun.bind(this));
      result = await new Promise((resolve, reject) => {
        this.rejectRun = reject;
        work.then(resolve, reject);
      });
      state = "complete";
    } catch (thrown) {
      error = thrown instanceof Error ? thrown : new Error(String(thrown));
      state = classify(error, this.control, this.input, started);
      // Only the services failed, not the job: no attempt used; it resumes from its cookie later.
      if ((state === "failed" || state === "error") && isServiceOutage(error)) {
        state = "deferred";
        outage = true;
      }
    } finally {
      unsubscribe?.();
      clearTimeout(wallTimer);
    }
    if (this.throttle) {
      try {
        await this.throttle.flush();
      } catch (flushError) {
        this.logger.warn("cannot write the final progress", { reason: String(flushError) });
      }
    }
    const finished = new Date();
    // A worker pool writes its own per-run records (queue/run-records.ts); inline runs log here.
    if (this.input.inline && outage) {
      this.logger.warn(
        `job deferred: MongoDB or Redis unreachable, no attempt used: ${error?.message ?? ""}`,
        {
          state,
          outage: true,
        },
      );
    } else if (this.input.inline && state !== "complete" && state !== "interrupted") {
      this.logEnd(state, error);
    }
    const sources = this.sources.length > 1 ? [...new Set(this.sources)] : this.sources;
    // A job that completes without ever reporting progress is done: 100 %, not 0 %.
    const progress = state === "complete" && this.throttle === undefined ? DONE : this.lastProgress();
    return { state, error, result, started, finished, progress, sources, ...(outage && { outage }) };
  }

  private async work(job: CoreJob): Promise<unknown> {
    await job.initialise();
    return await job.execute(this.input.args as Record<string, unknown>);
  }

  private abortRun(reason: unknown): void {
    this.rejectRun?.(reason);
  }

  private wallTimeExceeded(): void {
    const { jobClass, settings } = this.input;
    this.control.abort(
      new WallTimeExceededError(`job ${jobClass.jobName} exceeded its wall time of ${settings.wallTime} s`),
    );
  }

  private writeProgress(progress: JobProgress): Promise<void> {
    return this.input.writeProgress(progress, this.sources);
  }

  private logEnd(state: RunState, error: Error | undefined): void {
    // A kill is an operator's decision, not a fault: warn, and no stack (docs/contracts.md "Jobs: metadata
    // and policies").
    const extra =
      error && state !== "deferred" && state !== "killed"
        ? { state, error: { name: error.name, message: error.message, stack: error.stack } }
        : { state };
    const level = state === "deferred" ? "info" : state === "killed" ? "warn" : "error";
    this.logger[level](`job ${state}: ${error?.message ?? ""}`, extra);
  }
}

/**
 * Runs a job once: creates the instance, hands it its context, calls `initialise()` then `execute(args)`,
 * and classifies the end with core4's rules (defer within `deferMax` → deferred, beyond → inactive; an
 * error with attempts left → failed, else error; kill → killed; wall time → failed or error). A kill or
 * wall time ends the run at once; `execute()` should honour `this.signal` to stop its own work (the work a
 * job leaves running is not awaited and its late failure is ignored).
 */
export function runJob(input: RunInput): Promise<RunOutcome> {
  return new JobRun(input).run();
}

function classify(error: Error, control: RunControl, input: RunInput, started: Date): RunState {
  const reason: unknown = control.reason;
  if (reason instanceof JobKilledError || error instanceof JobKilledError) return "killed";
  if (reason instanceof WorkerShutdownError) return "interrupted";
  if (error instanceof JobDeferredError && !(reason instanceof WallTimeExceededError)) {
    const age = started.getTime() - input.enqueued.getTime();
    return age > input.settings.deferMax * 1000 ? "inactive" : "deferred";
  }
  return input.attemptsMade + 1 < input.settings.attempts ? "failed" : "error";
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
    _id: journalRunId(input.id, input.enqueued, input.run),
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
