import type { Collection } from "mongodb";
import type { JobLogger, JobRuntime } from "../../framework/job/index.js";
import type { Plugin } from "../../framework/plugin.js";
import { JobLog, JobTypes, type QueueSource } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { HttpError } from "../errors/http-error.js";
import type { JobsApi } from "../routes/jobs-api.js";
import type { ServerLogger, ServerRuntime } from "../runtime/types.js";

/** What the console's pages and routes read and steer. */
export interface ConsoleServices {
  /** The jobs API's queue; undefined when the server runs without Redis. */
  readonly queue: JobsApi | undefined;
  /** Job types with counts, pause flags and schedules; undefined without a queue. */
  readonly types: JobTypes | undefined;
  /** `sys.journal`: every finished run. */
  readonly journal: Collection<JournalEntry>;
  /** The job log reader over `sys.log`. */
  readonly log: JobLog;
  /** Releases the console's own connections. */
  close(): Promise<void>;
}

function isQueueSource(queue: unknown): queue is QueueSource {
  const q = queue as Partial<QueueSource> | undefined;
  return typeof q?.queue === "function" && typeof q.knownJobNames === "function";
}

/** The server logger seen as the job framework's logger (trace goes to debug). */
function jobLogger(logger: ServerLogger): JobLogger {
  return {
    trace: (message, extra) => logger.debug(message, extra),
    debug: (message, extra) => logger.debug(message, extra),
    info: (message, extra) => logger.info(message, extra),
    warn: (message, extra) => logger.warn(message, extra),
    error: (message, extra) => logger.error(message, extra),
    child: (bindings) => jobLogger(logger.child(bindings)),
  };
}

/**
 * Builds the console's services and creates the indexes its pages page through (journal newest first, by
 * name and state; the log by job id and time), in the background: a missing index makes pages slower,
 * never wrong.
 */
export function consoleServices(
  runtime: ServerRuntime,
  queue: JobsApi | undefined,
  plugins: readonly Plugin<unknown, unknown>[],
): ConsoleServices {
  const jobRuntime: JobRuntime = {
    config: runtime.config,
    mongo: runtime.mongo,
    logger: jobLogger(runtime.logger),
    redisUrl: runtime.redisUrl,
    plugins,
  };
  const types =
    queue && isQueueSource(queue) && runtime.redisUrl ? new JobTypes(jobRuntime, queue) : undefined;
  const journal = runtime.mongo.sys<JournalEntry>("journal");
  const log = new JobLog(runtime.mongo.sys("log"));
  void Promise.all([
    log.ensureIndex(),
    journal.createIndex({ finished: -1, _id: -1 }),
    journal.createIndex({ name: 1, finished: -1, _id: -1 }),
    journal.createIndex({ state: 1, finished: -1, _id: -1 }),
  ]).catch((error: unknown) =>
    runtime.logger.warn("cannot create the console's indexes on sys.journal and sys.log", {
      reason: error instanceof Error ? error.message : String(error),
    }),
  );
  return {
    queue,
    types,
    journal,
    log,
    close: async () => {
      await types?.close();
    },
  };
}

/** The queue, or 503 naming the fix when the server runs without Redis. */
export function requireQueue(services: ConsoleServices): JobsApi {
  if (!services.queue)
    throw new HttpError(503, "the jobs API needs Redis: set CORE4_REDIS_URL or run coco serve with services");
  return services.queue;
}

/** The job types, or 503 when the server runs without a queue. */
export function requireTypes(services: ConsoleServices): JobTypes {
  if (!services.types)
    throw new HttpError(503, "job types need Redis: set CORE4_REDIS_URL or run coco serve with services");
  return services.types;
}
