import type { Config } from "../../framework/config/index.js";
import type { MongoRegistry } from "../../framework/mongo/index.js";

/** Extra fields of a log record (they land beside `message` in sys.log). */
export type LogExtra = Record<string, unknown>;

/** Fields bound to a child logger (`identifier` = request id, `user` = API user, ...). */
export interface LogBindings {
  identifier?: string | null;
  qual_name?: string | null;
  user?: string | null;
  name?: string;
}

/**
 * The part of the framework logger the server uses. The framework's `Logger` satisfies it; the server
 * depends on this shape only, so it stays testable without the full runtime.
 */
export interface ServerLogger {
  /** Fine-grained detail. */
  debug(message: string, extra?: LogExtra): void;
  /** Normal operation. */
  info(message: string, extra?: LogExtra): void;
  /** Something a person may want to look at. */
  warn(message: string, extra?: LogExtra): void;
  /** A failure. */
  error(message: string, extra?: LogExtra): void;
  /** A logger whose records carry the given bindings. */
  child(bindings: LogBindings): ServerLogger;
}

/**
 * What the server needs from the runtime: config, MongoDB, a logger and the Redis URL. The framework's
 * `Runtime` satisfies it.
 */
export interface ServerRuntime {
  /** Validated configuration (`server.*` keys are read from `config.core`). */
  readonly config: Config;
  /** MongoDB registry (`sys.role`, `sys.log`, plugin collections). */
  readonly mongo: MongoRegistry;
  /** Process logger. */
  readonly logger: ServerLogger;
  /** Redis URL, undefined when the process runs without Redis. */
  readonly redisUrl: string | undefined;
}
