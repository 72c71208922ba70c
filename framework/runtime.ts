import { type Config, loadConfig } from "./config/index.js";
import { createLogger, type Logger, MongoLogSink } from "./log/index.js";
import { MongoRegistry } from "./mongo/index.js";
import type { Plugin } from "./plugin.js";
import { ensureServices, type RunningServices } from "./services/index.js";

/** Options of {@link Runtime.start}. */
export interface RuntimeOptions {
  /** Plugins whose config sections, jobs and routes are registered. */
  plugins?: readonly Plugin[];
  /** Environment to read (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** YAML config file (defaults to `CORE4_CONFIG`). */
  configFile?: string;
  /** Config values applied above the environment, e.g. `{ mongodb: { uri } }` in tests. */
  overrides?: Record<string, unknown>;
  /** Whether Redis is needed (false for `coco run`, which executes inline). Default true. */
  needRedis?: boolean;
  /** Start services as background processes that outlive this one (`coco services`). */
  detachedServices?: boolean;
  /** Logger name of this process (`coco.worker`, ...). */
  name?: string;
}

/**
 * Everything a command needs, composed once: validated config, services (embedded or given), the MongoDB
 * registry and the logger that also writes to `sys.log`. {@link close} releases it all in reverse order.
 */
export class Runtime {
  private closing: Promise<void> | undefined;

  private constructor(
    /** Validated configuration, core and plugin sections. */
    readonly config: Config,
    /** MongoDB clients and collection references. */
    readonly mongo: MongoRegistry,
    /** Process logger (stderr and sys.log). */
    readonly logger: Logger,
    /** Redis URL for BullMQ, undefined when not needed. */
    readonly redisUrl: string | undefined,
    /** Registered plugins. */
    readonly plugins: readonly Plugin[],
    /** Services this runtime uses, with the ones it owns. */
    readonly services: RunningServices,
    private readonly sink: MongoLogSink,
  ) {}

  /** Loads config, ensures services, connects. Throws a one-line error for bad config or missing services. */
  static async start(options: RuntimeOptions = {}): Promise<Runtime> {
    const plugins = options.plugins ?? [];
    const sections = Object.fromEntries(
      plugins
        .filter((p) => p.config !== undefined)
        .map((p) => [p.name, p.config as NonNullable<Plugin["config"]>]),
    );
    const config = loadConfig({
      sections,
      env: options.env,
      file: options.configFile,
      overrides: options.overrides,
      jobNames: plugins
        .flatMap((p) => p.jobs.map((j) => (j as { jobName?: unknown }).jobName))
        .filter((name): name is string => typeof name === "string"),
    });
    const core = config.core;
    const services = await ensureServices({
      home: core.home,
      mongodbUri: core.mongodb.uri,
      redisUrl: core.redis.url,
      needRedis: options.needRedis ?? true,
      detached: options.detachedServices ?? false,
    });
    // ensureServices has checked that MongoDB (and Redis) answer: no second round trip here.
    const mongo = new MongoRegistry({ uri: services.mongodbUri, sysDatabase: core.mongodb.sysDatabase });
    const sink = new MongoLogSink({ collection: () => mongo.sys("log"), bufferSize: core.log.bufferSize });
    const logger = createLogger({
      name: options.name ?? "core4",
      level: core.log.level,
      mongoLevel: core.log.mongoLevel,
      sink,
    });
    return new Runtime(config, mongo, logger, services.redisUrl, plugins, services, sink);
  }

  /** Flushes logs, closes MongoDB clients and stops the services this process owns. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.logger.flush().catch(() => undefined);
      await this.sink.close().catch(() => undefined);
      await this.mongo.close();
      await this.services.stop();
    })();
    return this.closing;
  }
}
