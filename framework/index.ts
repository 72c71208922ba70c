/**
 * core4ts: the framework a plugin author imports (`import { CoreJob, definePlugin } from "core4ts"`).
 *
 * This entry point is the public surface, listed name by name: what plugins, applications embedding the
 * framework and operators' scripts use. Everything else is internal (the CLI and the server import it from
 * the folder modules) and may change in any release. `api/core4ts.api.md` is the committed report of this
 * surface; CI fails when it changes without the report (`npm run api:check`, docs/api.md). Grouped by
 * folder: config, embedded services, errors, jobs, logging, MongoDB, dates, plugins, the queue, the runtime.
 * @packageDocumentation
 */

export { Config, type ConfigSections, type ConfigSource } from "./config/config.js";
export { type CoreConfig, coreConfigSchema } from "./config/core-schema.js";
export { ConfigError } from "./config/errors.js";
export { type ConfigSectionSchema, type LoadConfigOptions, loadConfig } from "./config/load-config.js";
export { Core4Error, type Core4ErrorCode, type Core4ErrorKind } from "./errors/index.js";
export { Cookie, type CookieDocument, type CookieValue } from "./job/cookie.js";
export { CoreJob, type JobBase } from "./job/core-job.js";
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
} from "./job/errors/index.js";
export { noArgs, type RawJobArgs } from "./job/job-arguments.js";
export type { CheckedJob, JobArgsMismatch, JobClass, JobInput } from "./job/job-class.js";
export type { JobLogger, JobPluginLike, JobRuntime } from "./job/job-runtime.js";
export type { EnqueueSettings, JobSettings, SchedulePolicy } from "./job/job-settings.js";
export type { JobProgress } from "./job/progress-throttle.js";
export type { LogLevel, LogThreshold, PythonLevelName } from "./log/levels.js";
export type { LogBindings, LogRecord } from "./log/log-record.js";
export type { Logger, LogMethod } from "./log/types.js";
export {
  type CollectionRef,
  type CollectionRefDefaults,
  CollectionRefError,
  parseCollectionRef,
  redactUri,
} from "./mongo/collection-ref.js";
export { MongoRegistry, type MongoRegistryOptions } from "./mongo/mongo-registry.js";
export type { EmbeddedMongoAuth } from "./mongo-server/auth/scram-credentials.js";
export { type EmbeddedMongoOptions, EmbeddedMongoServer } from "./mongo-server/index.js";
export type { CompactionPolicy } from "./mongo-server/journal.js";
export { type IsoDate, parseIsoDate } from "./parse/iso-date.js";
export { definePlugin, type Plugin, type PluginDefinition } from "./plugin.js";
export {
  JobLog,
  type JobLogCursor,
  type JobLogPage,
  type JobLogReadOptions,
  type JobLogRecord,
} from "./queue/job-log.js";
export {
  type BulkOutcome,
  type EnqueueManyOptions,
  type EnqueueOptions,
  type EnqueueResult,
  type JobFilter,
  JobQueue,
  type JobSelection,
} from "./queue/job-queue.js";
export {
  type JobTypeInfo,
  type JobTypeRateLimit,
  type JobTypeSchedule,
  JobTypes,
  type QueueSource,
  type RunCounters,
} from "./queue/job-types.js";
export type { QueueJobData, QueueJobResult } from "./queue/queue-data.js";
export type { LastScheduledRun } from "./queue/schedule-store.js";
export type { ScheduleView } from "./queue/schedule-view.js";
export {
  type InstalledSchedule,
  Scheduler,
  type SchedulerOptions,
  startScheduler,
} from "./queue/scheduler.js";
export { startWorkerPool, WorkerPool, type WorkerPoolOptions } from "./queue/worker-pool.js";
export { JOB_STATES, type JobRecord, type JobState } from "./run/job-record.js";
export { type InlineOptions, runInline } from "./run/run-inline.js";
export { Runtime, type RuntimeOptions } from "./runtime.js";
export { ensureServices, stopServices } from "./services/ensure-services.js";
export { ServiceError } from "./services/service-error.js";
export { readServicesFile } from "./services/services-file.js";
export type {
  RunningServices,
  ServiceName,
  ServiceProcess,
  ServicesFile,
  ServicesOptions,
  ServiceUser,
} from "./services/types.js";
