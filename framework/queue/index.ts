export { formatJobDetail, formatJobList } from "./format-jobs.js";
export { type EnqueueOptions, type JobFilter, JobQueue } from "./job-queue.js";
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
export { type InstalledSchedule, Scheduler, type SchedulerOptions, startScheduler } from "./scheduler.js";
export { startWorkerPool, WorkerPool, type WorkerPoolOptions } from "./worker-pool.js";
