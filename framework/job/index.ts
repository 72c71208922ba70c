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
  JOB_NAME,
  type JobArgsMismatch,
  type JobClass,
  type JobInput,
} from "./job-class.js";
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
export type { JobProgress } from "./progress-throttle.js";
export { ProgressThrottle } from "./progress-throttle.js";
export { RunControl } from "./run-control.js";
export { cronProblem, isTimeZone, nextSlots, slotsBetween } from "./schedule-pattern.js";
export { isSysCollection, sourceTagged } from "./source-tagging.js";
