import { z } from "zod";

/** Log level names accepted in config (pino's names). */
export const logLevelSchema = z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

/** Per-job overrides of CoreJob metadata, found under `jobs.<job name>`. */
export const jobOverrideSchema = z.strictObject({
  attempts: z.number().int().min(1).optional(),
  deferTime: z.number().positive().optional(),
  deferMax: z.number().positive().optional(),
  errorTime: z.number().nonnegative().optional(),
  priority: z.number().int().min(0).optional(),
  maxParallel: z.number().int().min(1).optional(),
  wallTime: z.number().positive().optional(),
  progressInterval: z.number().nonnegative().optional(),
  schedule: z.string().nullable().optional(),
});

/** The framework's own configuration. Plugin sections are added beside it by name. */
export const coreConfigSchema = z.strictObject({
  /** State folder for embedded services and development secrets. */
  home: z.string().default("./.core4"),
  mongodb: z
    .strictObject({
      /** Default cluster: a mongodb:// URI, `embedded` (persisted under home) or `embedded:memory`. */
      uri: z.string().min(1).default("embedded"),
      /** Database holding the sys.* collections. */
      sysDatabase: z.string().min(1).default("core4"),
    })
    .prefault({}),
  redis: z
    .strictObject({
      /** Redis URL for BullMQ; unset starts redis-server from PATH. */
      url: z.string().min(1).optional(),
      /** Key prefix of all queues (a Redis Cluster hash tag is added around the queue name). */
      prefix: z.string().min(1).default("core4"),
    })
    .prefault({}),
  log: z
    .strictObject({
      /** Lowest level written to stderr. */
      level: logLevelSchema.default("info"),
      /** Lowest level written to sys.log. */
      mongoLevel: logLevelSchema.default("info"),
      /** Records kept in memory while MongoDB is unreachable before new ones are dropped. */
      bufferSize: z.number().int().min(1).default(10_000),
    })
    .prefault({}),
  server: z
    .strictObject({
      port: z.number().int().min(0).max(65_535).default(5001),
      host: z.string().default("127.0.0.1"),
      /** Token signing secret; generated into home when unset (refused when NODE_ENV=production). */
      secret: z.string().min(16).optional(),
      /** Creates or updates role `admin` at start. */
      adminPassword: z.string().min(1).optional(),
      /** Token lifetime in seconds. */
      tokenTtl: z
        .number()
        .int()
        .positive()
        .default(8 * 3600),
      /** Longest lifetime of a new signed link, in days (docs/contracts.md "HTTP", Signed links). */
      embedMaxDays: z.number().int().positive().default(365),
      /** Largest accepted request body in bytes. */
      bodyLimit: z.number().int().positive().default(1_000_000),
      /** Request timeout in milliseconds. */
      requestTimeout: z.number().int().positive().default(30_000),
      /**
       * Level of the access-log record written per request (`off`: none; server errors are always logged).
       * At the default `info` every request also reaches sys.log (log.mongoLevel `info`).
       */
      accessLog: z.enum(["info", "debug", "off"]).default("info"),
      /** Trust X-Forwarded-* headers (behind a reverse proxy): client addresses for the login slow-down. */
      trustProxy: z.boolean().default(false),
    })
    .prefault({}),
  worker: z
    .strictObject({
      concurrency: z.number().int().min(1).default(4),
      /** Seconds a graceful shutdown waits for running jobs before cancelling them. */
      shutdownTimeout: z.number().positive().default(30),
    })
    .prefault({}),
  jobs: z.record(z.string(), jobOverrideSchema).default({}),
  /** Extra plugin modules to load (paths relative to the working directory, or package names). */
  plugins: z.array(z.string().min(1)).default([]),
});

/** Validated core configuration. */
export type CoreConfig = z.output<typeof coreConfigSchema>;
/** Per-job overrides of CoreJob metadata. */
export type JobOverride = z.output<typeof jobOverrideSchema>;
