import { z } from "zod";
import { jobOverrideSchema } from "../job/job-settings.js";

/** Log level names accepted in config (pino's names). */
export const logLevelSchema = z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

/** Per-job overrides of CoreJob metadata, found under `jobs.<job name>`: the job settings' own schema. */
export { type JobOverride, jobOverrideSchema } from "../job/job-settings.js";

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
      /**
       * How many trusted proxies stand in front (with trustProxy): the client address is the one the
       * nearest trusted proxy saw, never a value the client wrote (docs/contracts.md "Environment").
       */
      proxyHops: z.number().int().min(1).default(1),
      /**
       * The server's own origin (`https://core.example.com`): the same-origin check, `Secure` cookies and
       * signed links use it; unset, the origin comes from the request.
       */
      publicUrl: z
        .url({ protocol: /^https?$/, error: "expected an http(s) URL like https://core.example.com" })
        .optional(),
      /** Open connections at most; more are refused by the server (Node's `maxConnections`). */
      maxConnections: z.number().int().min(1).default(1024),
      /** Milliseconds a client has to send the request headers (slow clients are cut off). */
      headersTimeout: z.number().int().positive().default(10_000),
      /** Milliseconds a client has to send the whole request, headers and body. */
      receiveTimeout: z.number().int().positive().default(15_000),
      /** Report computations (routes declared `heavy`) one user may have running at once; more get 429. */
      reportConcurrency: z.number().int().min(1).default(4),
      /** When set, `GET /metrics` needs `Authorization: Bearer <this token>` (open otherwise). */
      metricsToken: z.string().min(16).optional(),
    })
    .prefault({}),
  worker: z
    .strictObject({
      concurrency: z.number().int().min(1).default(4),
      /** Seconds a graceful shutdown waits for running jobs before cancelling them. */
      shutdownTimeout: z.number().positive().default(30),
      /**
       * Seconds a worker's lock on a running job lasts without renewal (renewed every half of it); the job of a
       * dead worker is taken back after it. Worst-case recovery: lockDuration + 2 × stalledInterval.
       */
      lockDuration: z.number().positive().default(30),
      /** Seconds between checks for jobs whose worker died. */
      stalledInterval: z.number().positive().default(30),
      /** Times a job may be taken back from a dead worker before it fails. */
      maxStalledCount: z.number().int().min(0).default(2),
      /**
       * Seconds between looks for a worker that takes no jobs although they wait for it (a connection a
       * failover or an outage left wedged); such a worker is replaced. 0 turns the look off.
       */
      watchdogInterval: z.number().min(0).default(15),
    })
    .prefault({}),
  jobs: z.record(z.string(), jobOverrideSchema).default({}),
  /** Extra plugin modules to load (paths relative to the working directory, or package names). */
  plugins: z.array(z.string().min(1)).default([]),
});

/** Validated core configuration. */
export type CoreConfig = z.output<typeof coreConfigSchema>;
