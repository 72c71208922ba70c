/**
 * Structured logging: JSON lines on stderr (pino) and the `sys.log` collection (docs/contracts.md "Stored documents").
 * @module
 */
export { CoreLogger } from "./core-logger.js";
export { createLogger } from "./create-logger.js";
export {
  isLevelEnabled,
  LOG_LEVELS,
  type LogLevel,
  type LogThreshold,
  type PythonLevelName,
  parseLogThreshold,
  pythonLevel,
} from "./levels.js";
export type { LogBindings, LogRecord } from "./log-record.js";
export { MongoLogSink } from "./mongo-log-sink.js";
export { isSecretKey, REDACTED, redact, redactText } from "./redact.js";
export { type SerializedError, serializeError, toStorable } from "./storable.js";
export type {
  CreateLoggerOptions,
  Logger,
  LogMethod,
  MongoLogSinkOptions,
  MongoLogSinkStats,
} from "./types.js";
