export { Cookie, type CookieDocument, type CookieValue } from "./cookie.js";
export { CoreJob } from "./core-job.js";
export {
  JobArgumentError,
  JobDeferredError,
  JobDefinitionError,
  JobExistsError,
  JobKilledError,
  JobNotFoundError,
  JobRunError,
  JobStateError,
  SourceNotSetError,
  UnknownJobError,
  WallTimeExceededError,
  WorkerShutdownError,
} from "./errors/index.js";
export {
  jobIdentityKey,
  noArgs,
  parseJobArgs,
  parseKeyValueArgs,
  type RawJobArgs,
  restoreJobArgs,
  serializeJobArgs,
} from "./job-arguments.js";
export {
  type CheckedJob,
  checkJobClass,
  type ExecuteArgsOf,
  isJobClass,
  type JobArgsMismatch,
  type JobClass,
  type JobInput,
} from "./job-class.js";
export {
  JOB_STATES,
  type JobRecord,
  type JobState,
  type JournalEntry,
  journalRunId,
  recordOfEntry,
} from "./job-record.js";
export { JobRegistry } from "./job-registry.js";
export { journalEntry, type RunInput, type RunOutcome, type RunState, runJob } from "./job-run.js";
export type { JobLogger, JobPluginLike, JobRuntime } from "./job-runtime.js";
export {
  checkJobValues,
  DEFAULT_JOB_SETTINGS,
  DEFAULT_SCHEDULE_POLICY,
  type EnqueueSettings,
  type JobSettings,
  resolveSettings,
  type SchedulePolicy,
  withEnqueueSettings,
} from "./job-settings.js";
export { JournalWriter, type JournalWriterOptions } from "./journal-writer.js";
export type { JobProgress } from "./progress-throttle.js";
export { ProgressThrottle } from "./progress-throttle.js";
export { RunControl } from "./run-control.js";
export { type InlineOptions, runInline } from "./run-inline.js";
export { cronProblem, isTimeZone, nextSlots, slotsBetween } from "./schedule-pattern.js";
export { isServiceOutage, OUTAGE_RETRY_MS } from "./service-outage.js";
export { isSysCollection, sourceTagged } from "./source-tagging.js";
