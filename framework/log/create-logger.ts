import { pino } from "pino";
import { CoreLogger, HOSTNAME } from "./core-logger.js";
import type { CreateLoggerOptions, Logger } from "./types.js";

/**
 * Creates the process logger: JSON lines on stderr at or above `level`, and documents in sys.log at or above
 * `mongoLevel` through `sink`.
 *
 * @example
 * const sink = new MongoLogSink({ collection: () => mongo.sys("log") });
 * const logger = createLogger({ name: "coco.worker", level: "info", mongoLevel: "info", sink });
 * logger.child({ identifier: job.id, qual_name: "usage.AggregateLogins" }).info("day done", { day: "2026-11-27" });
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const level = options.level ?? "info";
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  const instance = pino(
    {
      level,
      base: { pid: process.pid, hostname: HOSTNAME },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return new CoreLogger(
    {
      pino: instance,
      level,
      mongoLevel: options.mongoLevel ?? "info",
      sink: options.sink,
      hostname: HOSTNAME,
    },
    { name: options.name ?? "core4", identifier: null, qual_name: null, user: null },
  );
}
