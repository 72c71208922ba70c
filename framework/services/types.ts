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
  /**
   * Refuse embedded services (docs/contracts.md "Embedded services"). Default: `NODE_ENV` is `production`.
   */
  production?: boolean;
  /**
   * Milliseconds between checks that the shared services still answer; one that died is restarted on its
   * recorded port. 0 turns the check off. Default 2,000 (not for `detached`).
   */
  watchIntervalMs?: number;
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
  /**
   * Process id of the process that started (or adopted) it implicitly: such a service stops when its last
   * user leaves. null for background services (`coco services`), which run until `coco services stop`.
   */
  owner: number | null;
  /** When it was started (ISO). */
  started: string;
}

/** A process using the shared services of a home (one entry per `ensureServices` call). */
export interface ServiceUser {
  pid: number;
  /** Tells apart several users in one process. */
  token: string;
}

/** `$CORE4_HOME/services.json`: the embedded services of a home (docs/contracts.md "Embedded services"). */
export interface ServicesFile {
  /** MongoDB URI of the embedded server. */
  mongodb?: string;
  /** Redis URL of the embedded redis-server. */
  redis?: string;
  /** The processes behind the URLs. */
  processes?: Partial<Record<ServiceName, ServiceProcess>>;
  /**
   * Processes using services started implicitly: the last one out stops those (not the ones `coco services`
   * started for good).
   */
  users?: ServiceUser[];
}
