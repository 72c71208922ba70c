/**
 * A worker process for the reliability tests: runs the reliability plugin's jobs on the Redis, MongoDB,
 * sys database and queue prefix given in its environment, with short lock and stalled intervals so that
 * recovery from a killed sibling is quick. Prints "ready" once it takes jobs.
 */
import { Writable } from "node:stream";
import { loadConfig, MongoRegistry, startWorkerPool } from "core4ts";
import { createLogger, MongoLogSink } from "../../framework/log/index.js";
import { reliabilityPlugin } from "./checkpoint-job.js";

const env = process.env;
const uri = env.TEST_MONGODB_URI as string;
const sysDatabase = env.TEST_SYS_DATABASE as string;
// TEST_LOG_LEVEL=warn writes records at or above it to stderr as JSON lines (as `coco worker` does).
const level = (env.TEST_LOG_LEVEL ?? "silent") as "silent" | "warn";
const config = loadConfig({
  env: {},
  overrides: {
    mongodb: { uri, sysDatabase },
    redis: { url: env.TEST_REDIS_URL, prefix: env.TEST_PREFIX },
    log: { level },
  },
});
const mongo = new MongoRegistry({ uri, sysDatabase });
const sink = new MongoLogSink({ collection: () => mongo.sys("log") });
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
const logger = createLogger({
  name: "reliability",
  level,
  sink,
  ...(level === "silent" && { destination: silent }),
});
const runtime = { config, mongo, logger, redisUrl: env.TEST_REDIS_URL, plugins: [reliabilityPlugin] };

// Short locks by default, so that recovery from a killed sibling is quick; a failover test needs locks
// that outlast the failover (TEST_LOCK_DURATION).
const pool = await startWorkerPool(runtime, {
  concurrency: Number(env.TEST_CONCURRENCY ?? 1),
  lockDuration: Number(env.TEST_LOCK_DURATION ?? 1_000),
  stalledInterval: Number(env.TEST_STALLED_INTERVAL ?? 500),
});
process.stdout.write("ready\n");
process.once("SIGTERM", () => {
  void pool.close().then(async () => {
    await sink.close();
    await mongo.close();
    process.exit(0);
  });
});
