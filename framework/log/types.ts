import type { Collection } from "mongodb";
import type { LogThreshold } from "./levels.js";
import type { LogBindings, LogRecord } from "./log-record.js";
import type { MongoLogSink } from "./mongo-log-sink.js";

/** A function of a {@link Logger} writing at one level. `extra` fields are stored beside the message. */
export type LogMethod = (message: string, extra?: Record<string, unknown>) => void;

/**
 * Structured logger: JSON lines on stderr and, at or above its Mongo level, documents in `sys.log`.
 * Calls never throw and never wait for MongoDB.
 */
export interface Logger {
  /** Stored as DEBUG in sys.log (Python has no trace level). */
  trace: LogMethod;
  /** DEBUG, 10. */
  debug: LogMethod;
  /** INFO, 20. */
  info: LogMethod;
  /** WARNING, 30. */
  warn: LogMethod;
  /** ERROR, 40. Pass an Error as `extra.error`: its message and stack are stored. */
  error: LogMethod;
  /** CRITICAL, 50. */
  fatal: LogMethod;
  /** A logger whose records carry these bindings (job id, job name, user, logger name) on top of this one's. */
  child(bindings: LogBindings): Logger;
  /** Waits (bounded) until records written so far reached stderr and sys.log, or sys.log failed once. */
  flush(): Promise<void>;
  /** Lowest level written to stderr. */
  readonly level: LogThreshold;
  /** Lowest level written to sys.log (`silent` when there is no sink). */
  readonly mongoLevel: LogThreshold;
  /** The bindings every record of this logger carries. */
  readonly bindings: Readonly<Required<LogBindings>>;
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Logger name stored in every record. Default `core4`. */
  name?: string;
  /** Lowest level written to stderr (config `log.level`). Default `info`. */
  level?: LogThreshold;
  /** Lowest level written to sys.log through `sink` (config `log.mongoLevel`). Default `info`. */
  mongoLevel?: LogThreshold;
  /** Where records for sys.log go; without it nothing is stored. */
  sink?: MongoLogSink;
  /** Where JSON lines go. Default stderr (written synchronously, so nothing is lost on exit). */
  destination?: NodeJS.WritableStream;
}

/** Counters of a {@link MongoLogSink}. */
export interface MongoLogSinkStats {
  /** Records stored in sys.log. */
  written: number;
  /** Records thrown away unwritten: buffer full while MongoDB was slow or down, or still buffered at close. */
  dropped: number;
  /** Records MongoDB refused (e.g. a document too large); they are not retried. */
  failed: number;
  /** Records waiting in memory. */
  buffered: number;
}

/** Options of a {@link MongoLogSink}. */
export interface MongoLogSinkOptions {
  /** The target collection, asked for on every batch (so a closed registry shows as a failed write). */
  collection: () => Collection<LogRecord>;
  /** Records kept in memory while MongoDB is slow or down; newer ones are dropped beyond it. Default 10,000. */
  bufferSize?: number;
  /** Records per insertMany. Default 500. */
  batchSize?: number;
  /** Longest time a record waits in memory before a write starts. Default 500 ms. */
  flushIntervalMs?: number;
  /** Longest pause between retries while MongoDB is down (the pause doubles from `flushIntervalMs`). Default 30 s. */
  maxRetryDelayMs?: number;
  /** Longest wait of {@link MongoLogSink.flush} and {@link MongoLogSink.close}. Default 5 s. */
  flushTimeoutMs?: number;
  /** Told once per outage, when it ends (or at close), how many records it dropped. */
  onDrop?: (dropped: number) => void;
  /** Where the sink's own warnings go. Default: a JSON line on stderr. */
  warn?: (message: string) => void;
}
