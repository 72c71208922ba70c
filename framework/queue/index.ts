export { formatJobDetail, formatJobList } from "./format-jobs.js";
export {
  JOB_LOG_COLUMNS,
  JobLog,
  type JobLogCursor,
  type JobLogPage,
  type JobLogReadOptions,
  type JobLogRecord,
} from "./job-log.js";
export { type EnqueueOptions, type JobFilter, JobQueue } from "./job-queue.js";
export {
  type JobTypeInfo,
  type JobTypeRateLimit,
  type JobTypeSchedule,
  JobTypes,
  type QueueSource,
  type RunCounters,
} from "./job-types.js";
export type { QueueJobData, QueueJobProgress, QueueJobResult, RunMark } from "./queue-data.js";
export { killChannel, knownQueuesKey, queueNameOf } from "./queue-keys.js";
export { KEEP_COMPLETED, KEEP_FAILED } from "./retention.js";
export { RUN_SECONDS_BUCKETS, RunRecords, runMetricsKey } from "./run-records.js";
export { type InstalledSchedule, Scheduler, type SchedulerOptions, startScheduler } from "./scheduler.js";
export { startWorkerPool, WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
