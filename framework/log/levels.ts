/** Levels of a {@link Logger} call (pino's names). */
export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

/** A threshold: a level, or `silent` to write nothing. */
export type LogThreshold = LogLevel | "silent";

/** Python (core4) level names as stored in `sys.log`. */
export type PythonLevelName = "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL";

/** The order of levels, lowest first. */
export const LOG_LEVELS: readonly LogLevel[] = ["trace", "debug", "info", "warn", "error", "fatal"];

const RANK: Record<LogThreshold, number> = {
  trace: 0,
  debug: 1,
  info: 2,
  warn: 3,
  error: 4,
  fatal: 5,
  silent: 6,
};

// core4 stores Python's logging levels; Python has no trace, so trace is stored as DEBUG.
const PYTHON: Record<LogLevel, { level: PythonLevelName; levelno: number }> = {
  trace: { level: "DEBUG", levelno: 10 },
  debug: { level: "DEBUG", levelno: 10 },
  info: { level: "INFO", levelno: 20 },
  warn: { level: "WARNING", levelno: 30 },
  error: { level: "ERROR", levelno: 40 },
  fatal: { level: "CRITICAL", levelno: 50 },
};

/** True when a record at `level` passes `threshold`. */
export function isLevelEnabled(level: LogLevel, threshold: LogThreshold): boolean {
  return RANK[level] >= RANK[threshold];
}

/** The Python level name and number stored in `sys.log` for a level (`warn` → `WARNING`, 30). */
export function pythonLevel(level: LogLevel): { level: PythonLevelName; levelno: number } {
  return PYTHON[level];
}

/** Checks a level name from config or a command line; throws an error naming the accepted values. */
export function parseLogThreshold(value: string): LogThreshold {
  const name = value.trim().toLowerCase();
  if (name in RANK) return name as LogThreshold;
  throw new Error(`unknown log level "${value}": use one of ${[...LOG_LEVELS, "silent"].join(", ")}`);
}
