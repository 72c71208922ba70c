export { BACKOFF_JITTER, exponentialDelay } from "./backoff.js";
export { parseAt, parseDelay } from "./enqueue-timing.js";
export {
  JOB_LOG_COLUMNS,
  JobLog,
  type JobLogCursor,
  type JobLogPage,
  type JobLogReadOptions,
  type JobLogRecord,
} from "./job-log.js";
export {
  type BulkOutcome,
  type EnqueueManyOptions,
  type EnqueueOptions,
  type EnqueueResult,
  type JobFilter,
  JobQueue,
  type JobSelection,
  RESTARTABLE_STATES,
} from "./job-queue.js";
export {
  type JobTypeInfo,
  type JobTypeRateLimit,
  type JobTypeSchedule,
  JobTypes,
  type QueueSource,
  type RunCounters,
} from "./job-types.js";
export type { QueueJobData, QueueJobProgress, QueueJobResult, RunMark } from "./queue-data.js";
export { GLOBAL_TAG, globalKey, killChannel, knownQueuesKey, queueNameOf } from "./queue-keys.js";
export {
  connectRedis,
  createRedis,
  type RedisClient,
  redisServes,
  watchRedisErrors,
} from "./redis-connection.js";
export { RedisOutage } from "./redis-outage.js";
export { CLUSTER_FAILOVER, isClusterUrl, parseRedisUrl, type RedisTarget } from "./redis-url.js";
export { KEEP_COMPLETED, KEEP_FAILED } from "./retention.js";
export { bucketIndex, RUN_SECONDS_BUCKETS, RunRecords, runMetricsKey } from "./run-records.js";
export type { LastScheduledRun } from "./schedule-store.js";
export { describeSchedules, type ScheduleView } from "./schedule-view.js";
export {
  type InstalledSchedule,
  MAX_CATCHUP_RUNS,
  Scheduler,
  type SchedulerOptions,
  startScheduler,
} from "./scheduler.js";
export { startWorkerPool, WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
