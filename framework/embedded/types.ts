/** Which services a {@link ServicesFile} records. */
export type ServiceName = "mongodb" | "redis";

/** Options of `ensureServices`. */
export interface ServicesOptions {
  /** State folder (`CORE4_HOME`): services.json, the lock, data under `mongo/` and `redis/`, logs under `logs/`. */
  home: string;
  /**
   * Config `mongodb.uri`: a `mongodb://` (or `mongodb+srv://`) URI used as is, `embedded` (a server process
   * persisted under `home/mongo`, shared by processes of this home) or `embedded:memory` (in this process, in
   * memory, not shared).
   */
  mongodbUri: string;
  /** Config `redis.url`: when set, used as is. */
  redisUrl?: string;
  /** Whether Redis is needed at all (`coco run` does not). Default true. */
  needRedis?: boolean;
  /** Start services as background processes that outlive this one (`coco services`). Default false. */
  detached?: boolean;
}

/** The services a process uses, and which of them it is responsible for. */
export interface RunningServices {
  /** The MongoDB URI to connect to. */
  mongodbUri: string;
  /** The Redis URL, undefined when Redis is not needed. */
  redisUrl: string | undefined;
  /** True when this call started (or adopted) any service. */
  owned: boolean;
  /** Per service: true when this call started (or adopted) it. */
  owns: Readonly<Record<ServiceName, boolean>>;
  /** Stops the services this process owns and removes them from services.json; detached ones keep running. */
  stop(): Promise<void>;
}

/** One embedded service process recorded in services.json. */
export interface ServiceProcess {
  /** Process id of the server. */
  pid: number;
  /** Process id of the process that stops it on exit; null for background services (`coco services`). */
  owner: number | null;
  /** When it was started (ISO). */
  started: string;
}

/** `$CORE4_HOME/services.json`: the embedded services of a home (docs/contracts.md "Embedded services"). */
export interface ServicesFile {
  /** MongoDB URI of the embedded server. */
  mongodb?: string;
  /** Redis URL of the embedded redis-server. */
  redis?: string;
  /** The processes behind the URLs. */
  processes?: Partial<Record<ServiceName, ServiceProcess>>;
}
