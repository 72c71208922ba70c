import type { Config } from "../config/index.js";
import type { MongoRegistry } from "../mongo/index.js";

/** The logging surface a job uses; the framework's `Logger` satisfies it. */
export interface JobLogger {
  /** Very fine detail. */
  trace(message: string, extra?: Record<string, unknown>): void;
  /** Detail for debugging. */
  debug(message: string, extra?: Record<string, unknown>): void;
  /** Normal operation. */
  info(message: string, extra?: Record<string, unknown>): void;
  /** Something unusual that did not stop the work. */
  warn(message: string, extra?: Record<string, unknown>): void;
  /** A failure. */
  error(message: string, extra?: Record<string, unknown>): void;
  /** A logger whose records carry these bindings (`identifier`, `qual_name`, ...). */
  child(bindings: Record<string, unknown>): JobLogger;
}

/** A plugin as the job framework sees it: a name and its job classes. */
export interface JobPluginLike {
  /** Plugin name (prefix of its job names). */
  readonly name: string;
  /** The plugin's job classes (checked to be CoreJob subclasses when registered). */
  readonly jobs: readonly unknown[];
}

/**
 * What running and queueing jobs needs from the process: the framework's `Runtime` satisfies it
 * structurally, and tests may build one by hand.
 */
export interface JobRuntime {
  /** Validated configuration (`jobs.<name>` overrides, `redis.prefix`, `worker.*`). */
  readonly config: Config;
  /** MongoDB clients; `sys.cookie` and `sys.journal` live in its sys database. */
  readonly mongo: MongoRegistry;
  /** Process logger; jobs get a child bound to their id and name. */
  readonly logger: JobLogger;
  /** Redis URL for BullMQ (undefined for inline runs). */
  readonly redisUrl?: string | undefined;
  /** Registered plugins: only their jobs can be enqueued and run. */
  readonly plugins: readonly JobPluginLike[];
}
