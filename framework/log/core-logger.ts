import { hostname } from "node:os";
import { ObjectId } from "mongodb";
import type { Logger as PinoLogger } from "pino";
import { isLevelEnabled, type LogLevel, type LogThreshold, pythonLevel } from "./levels.js";
import type { LogBindings, LogRecord } from "./log-record.js";
import type { MongoLogSink } from "./mongo-log-sink.js";
import { redactText } from "./redact.js";
import { storeInto, toStorable } from "./storable.js";
import type { Logger } from "./types.js";

/** What all loggers of one tree share. */
export interface LoggerRoot {
  pino: PinoLogger;
  level: LogThreshold;
  mongoLevel: LogThreshold;
  sink: MongoLogSink | undefined;
  hostname: string;
}

// Fields of a sys.log record the caller's extra fields cannot replace.
const FIXED = new Set(["_id", "created", "level", "levelno", "message", "hostname", "pid"]);
// Context fields extra fields may set for one record (e.g. `user` of a login event).
const CONTEXT = ["name", "identifier", "qual_name", "user"] as const;

// Extra fields left out of a stderr line: the context (merged above) and pino's own keys.
const STDERR_OMIT = [...CONTEXT, "level", "time", "msg", "pid", "hostname"];

/** The {@link Logger} of {@link createLogger}: pino for stderr, a {@link MongoLogSink} for sys.log. */
export class CoreLogger implements Logger {
  /**
   * @param bindings The context every record of this logger carries; kept as given (not copied), since a
   *   child logger is made for every request.
   */
  constructor(
    private readonly root: LoggerRoot,
    readonly bindings: Readonly<Required<LogBindings>>,
  ) {}

  /** Lowest level written to stderr. */
  get level(): LogThreshold {
    return this.root.level;
  }

  /** Lowest level written to sys.log. */
  get mongoLevel(): LogThreshold {
    return this.root.sink ? this.root.mongoLevel : "silent";
  }

  /** See {@link Logger.trace}. */
  trace(message: string, extra?: Record<string, unknown>): void {
    this.log("trace", message, extra);
  }

  /** See {@link Logger.debug}. */
  debug(message: string, extra?: Record<string, unknown>): void {
    this.log("debug", message, extra);
  }

  /** See {@link Logger.info}. */
  info(message: string, extra?: Record<string, unknown>): void {
    this.log("info", message, extra);
  }

  /** See {@link Logger.warn}. */
  warn(message: string, extra?: Record<string, unknown>): void {
    this.log("warn", message, extra);
  }

  /** See {@link Logger.error}. */
  error(message: string, extra?: Record<string, unknown>): void {
    this.log("error", message, extra);
  }

  /** See {@link Logger.fatal}. */
  fatal(message: string, extra?: Record<string, unknown>): void {
    this.log("fatal", message, extra);
  }

  /** See {@link Logger.child}. Unset bindings are inherited; `null` clears one. */
  child(bindings: LogBindings): Logger {
    const own = this.bindings;
    return new CoreLogger(this.root, {
      name: bindings.name ?? own.name,
      identifier: bindings.identifier !== undefined ? bindings.identifier : own.identifier,
      qual_name: bindings.qual_name !== undefined ? bindings.qual_name : own.qual_name,
      user: bindings.user !== undefined ? bindings.user : own.user,
    });
  }

  /** See {@link Logger.flush}. */
  async flush(): Promise<void> {
    await new Promise<void>((resolve) => {
      try {
        this.root.pino.flush(() => resolve());
      } catch {
        resolve();
      }
    });
    await this.root.sink?.flush();
  }

  private log(level: LogLevel, message: string, extra: Record<string, unknown> | undefined): void {
    const toStderr = isLevelEnabled(level, this.root.level);
    const sink = this.root.sink;
    const toMongo = sink !== undefined && isLevelEnabled(level, this.root.mongoLevel);
    if (!toStderr && !toMongo) return;
    // Logging must never throw into the caller, whatever it was given.
    try {
      const created = new Date();
      const text = redactText(typeof message === "string" ? message : String(message));
      if (!toStderr && toMongo) {
        // For sys.log only (stderr's level is above this record's): the fields go straight into the record.
        sink.write(this.record(level, created, text, extra, false));
        return;
      }
      const fields = extra ? toStorable(extra) : {};
      const context: Record<string, unknown> = { ...this.bindings };
      for (const key of CONTEXT) if (key in fields) context[key] = fields[key];
      this.root.pino[level]({ ...withoutNulls(context), ...omit(fields, STDERR_OMIT) }, text);
      if (toMongo) sink.write(this.record(level, created, text, fields, true));
    } catch (error) {
      process.stderr.write(
        `core4ts logger: cannot log "${String(message).slice(0, 80)}": ${String(error)}\n`,
      );
    }
  }

  /**
   * The sys.log document, built in one object: every request writes one (the access log). `extra`'s
   * context fields (`name`, `identifier`, `qual_name`, `user`) replace the bindings, the fixed ones are
   * never replaced, the rest are added; `converted` says whether `extra` is already storable.
   */
  private record(
    level: LogLevel,
    created: Date,
    message: string,
    extra: Record<string, unknown> | undefined,
    converted: boolean,
  ): LogRecord {
    const python = pythonLevel(level);
    const bound = this.bindings;
    const record: LogRecord = {
      // Given here, first: the driver would append one last, and MongoDB then rebuilds the document to
      // store `_id` first (the embedded server's copy of a 16-field access record cost ~2 µs); a retry of
      // the batch carries the same id.
      _id: new ObjectId(),
      created,
      level: python.level,
      levelno: python.levelno,
      message,
      name: bound.name,
      hostname: this.root.hostname,
      pid: process.pid,
      identifier: bound.identifier,
      qual_name: bound.qual_name,
      user: bound.user,
    };
    if (extra === undefined) return record;
    if (converted) {
      for (const key in extra) if (!FIXED.has(key)) record[key] = extra[key];
    } else {
      storeInto(record, extra, FIXED);
    }
    // A context field given with the call, stored as the text (or null) the bindings hold.
    if (record.name !== bound.name) record.name = String(record.name);
    if (record.identifier !== bound.identifier) record.identifier = nullableString(record.identifier);
    if (record.qual_name !== bound.qual_name) record.qual_name = nullableString(record.qual_name);
    if (record.user !== bound.user) record.user = nullableString(record.user);
    return record;
  }
}

/** The host name stored in records (read once). */
export const HOSTNAME = hostname();

function nullableString(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

function withoutNulls(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== null && v !== undefined));
}

function omit(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([k]) => !keys.includes(k)));
}
