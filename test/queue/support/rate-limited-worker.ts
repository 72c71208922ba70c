/**
 * A worker process for the rate limit test: runs `rl.Limited` (2 starts per second) on the Redis, MongoDB,
 * sys database and queue prefix in its environment and records each run's start time in `rl.starts`.
 * Prints "ready" once it takes jobs; SIGTERM closes it.
 */
import { Writable } from "node:stream";
import { CoreJob, definePlugin, loadConfig, MongoRegistry, startWorkerPool } from "core4ts";
import { z } from "zod";
import { createLogger, MongoLogSink } from "../../../framework/log/index.js";

const args = z.object({ n: z.number().int() });

export class Limited extends CoreJob.withArgs(args) {
  static override readonly jobName = "rl.Limited";
  static override readonly rateLimit = { max: 2, duration: 1 };
  override async execute({ n }: z.output<typeof args>): Promise<void> {
    this.setSource("rate limit test");
    await this.collection(process.env.TEST_STARTS ?? "starts").insertOne({
      n,
      at: new Date(),
      pid: process.pid,
    });
  }
}

export const rateLimitPlugin = definePlugin({ name: "rl", jobs: [Limited] });

if (process.env.TEST_PREFIX) {
  const env = process.env;
  const uri = env.TEST_MONGODB_URI as string;
  const sysDatabase = env.TEST_SYS_DATABASE as string;
  const config = loadConfig({
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase },
      redis: { url: env.TEST_REDIS_URL, prefix: env.TEST_PREFIX },
      log: { level: "silent" },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  const sink = new MongoLogSink({ collection: () => mongo.sys("log") });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger({ name: "rate-limit", level: "silent", sink, destination: silent });
  const runtime = { config, mongo, logger, redisUrl: env.TEST_REDIS_URL, plugins: [rateLimitPlugin] };
  const pool = await startWorkerPool(runtime, { concurrency: 4, journalRecoveryInterval: 0 });
  process.stdout.write("ready\n");
  process.once("SIGTERM", () => {
    void pool.close().then(async () => {
      await sink.close();
      await mongo.close();
      process.exit(0);
    });
  });
}
