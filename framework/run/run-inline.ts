import { ObjectId } from "mongodb";
import type { CookieDocument } from "../job/cookie.js";
import { JobKilledError, JobRunError } from "../job/errors/index.js";
import { parseJobArgs, type RawJobArgs, serializeJobArgs } from "../job/job-arguments.js";
import type { CheckedJob, JobClass, JobInput } from "../job/job-class.js";
import type { JobRuntime } from "../job/job-runtime.js";
import type { EnqueueSettings } from "../job/job-settings.js";
import { RunControl } from "../job/run-control.js";
import { type JobRecord, type JournalEntry, recordOfEntry } from "./job-record.js";
import { JobRegistry } from "./job-registry.js";
import { journalEntry, runJob } from "./job-run.js";

/** Options of {@link runInline}. */
export interface InlineOptions extends EnqueueSettings {
  /** Aborts the run (it ends `killed`). */
  signal?: AbortSignal;
}

/**
 * Runs a job in this process, without Redis (core4's development helper, `coco run`): arguments are
 * parsed as at enqueue, and cookie, progress (logged), logging, source tagging and the journal are real.
 * Resolves with the run's record when it completes; rejects with a {@link JobRunError} carrying the state
 * otherwise (an argument error rejects before the run, as enqueue would).
 *
 * `job` is a class or, when the runtime's plugins register it, a job name.
 */
export function runInline<C extends JobClass>(
  runtime: JobRuntime,
  job: C & CheckedJob<C>,
  args?: JobInput<C>,
  options?: InlineOptions,
): Promise<JobRecord>;
/** By name: the arguments as they arrive (CLI `k=v`), converted and checked against the job's schema. */
export function runInline(
  runtime: JobRuntime,
  job: string,
  rawArgs?: RawJobArgs,
  options?: InlineOptions,
): Promise<JobRecord>;
export async function runInline(
  runtime: JobRuntime,
  job: JobClass | string,
  rawArgs?: RawJobArgs,
  options: InlineOptions = {},
): Promise<JobRecord> {
  const jobClass = typeof job === "string" ? JobRegistry.of(runtime).get(job) : job;
  const { signal, ...settingsOverrides } = options;
  const settings = JobRegistry.settings(runtime, jobClass, settingsOverrides);
  const args = parseJobArgs(jobClass.jobName, jobClass.args, rawArgs);
  const storedArgs = serializeJobArgs(args);
  const id = new ObjectId().toHexString();
  // Any abort of an inline run is a kill (Ctrl-C of `coco run`), whatever reason the caller gave.
  const control = RunControl.following(
    signal,
    () => new JobKilledError(`job ${jobClass.jobName} was killed`),
  );
  const input = {
    runtime,
    jobClass,
    id,
    args,
    storedArgs,
    attemptsMade: 0,
    enqueued: new Date(),
    run: 1,
    settings: { ...settings, attempts: 1 },
    control,
    inline: true,
    writeProgress: async (p: { value: number; message: string | null }) => {
      // Debug, not info: a job reporting often would print a line per report at the default level.
      runtime.logger.child({ identifier: id, qual_name: jobClass.jobName }).debug("progress", {
        progress: p.value,
        progressMessage: p.message,
      });
    },
  };
  const outcome = await runJob(input);
  const entry = journalEntry(input, outcome);
  await runtime.mongo.sys<JournalEntry>("journal").insertOne(entry);
  if (outcome.state === "complete") {
    await runtime.mongo
      .sys<CookieDocument>("cookie")
      .updateOne({ _id: jobClass.jobName }, { $max: { last_runtime: outcome.finished } }, { upsert: true });
  }
  const record = recordOfEntry(entry);
  if (outcome.state !== "complete") {
    throw new JobRunError(
      `job ${jobClass.jobName} ended ${outcome.state}: ${outcome.error?.message ?? ""}`,
      outcome.state,
      {
        cause: outcome.error,
      },
    );
  }
  return record;
}
