/**
 * `npm run bench:cluster`: CoreJob no-op jobs per second through a worker pool on a Redis Cluster (3 masters
 * + 3 replicas on loopback) against one standalone redis-server, in the same run and with the same MongoDB,
 * and their ratio. `BENCH_JOBS` (default 2,000) jobs per round, `BENCH_CONCURRENCY` (default 16), rounds
 * alternate (`BENCH_ROUNDS`, default 3) and the medians are compared.
 */
import { Writable } from "node:stream";
import { z } from "zod";
import { loadConfig } from "../../framework/config/index.js";
import { CoreJob, type JobRuntime } from "../../framework/job/index.js";
import { createLogger } from "../../framework/log/index.js";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import { startRedisCluster } from "../support/redis-cluster.js";
import { startMongoProcess, startRedisServer } from "../support/service-processes.js";
import { median } from "./stats.js";

const JOBS = Number(process.env.BENCH_JOBS ?? 2_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const args = z.object({ i: z.number().int() });

class Noop extends CoreJob.withArgs(args) {
  static override readonly jobName = "bench.ClusterNoop";
  static override readonly maxParallel = Infinity;
  override execute(): void {}
}

function runtimeOf(redisUrl: string, mongoUri: string, prefix: string): JobRuntime {
  const sysDatabase = `bench_${prefix}`;
  const config = loadConfig({
    env: {},
    overrides: {
      mongodb: { uri: mongoUri, sysDatabase },
      redis: { url: redisUrl, prefix },
      log: { level: "warn", mongoLevel: "silent" },
    },
  });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  return {
    config,
    mongo: new MongoRegistry({ uri: mongoUri, sysDatabase }),
    logger: createLogger({ name: "bench", level: "warn", mongoLevel: "silent", destination: silent }),
    redisUrl,
    plugins: [definePlugin({ name: "bench", jobs: [Noop] })],
  };
}

/** Jobs per second of one round: enqueue JOBS jobs, then time the pool until all are complete. */
async function round(redisUrl: string, mongoUri: string, prefix: string): Promise<number> {
  const runtime = runtimeOf(redisUrl, mongoUri, prefix);
  const queue = new JobQueue(runtime);
  for (let i = 0; i < JOBS; i++) await queue.enqueue(Noop, { i });
  const started = performance.now();
  const pool = await startWorkerPool(runtime, { concurrency: CONCURRENCY, journalRecoveryInterval: 0 });
  for (;;) {
    const waiting = await queue.list({ state: ["pending", "running"], name: Noop.jobName, limit: 1 });
    if (waiting.length === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await pool.close();
  await queue.close();
  await runtime.mongo.close();
  return JOBS / seconds;
}

const mongo = await startMongoProcess();
const single = await startRedisServer();
const cluster = await startRedisCluster();
try {
  const singleRates: number[] = [];
  const clusterRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    singleRates.push(await round(single.url, mongo.url, `single${r}`));
    clusterRates.push(await round(cluster.url, mongo.url, `cluster${r}`));
  }
  const one = median(singleRates);
  const many = median(clusterRates);
  process.stdout.write(
    `bench:cluster  ${JOBS} no-op jobs x ${ROUNDS} rounds, concurrency ${CONCURRENCY}\n` +
      `  one redis-server       ${one.toFixed(0)} jobs/s (${singleRates.map((v) => v.toFixed(0)).join(", ")})\n` +
      `  Redis Cluster (3+3)    ${many.toFixed(0)} jobs/s (${clusterRates.map((v) => v.toFixed(0)).join(", ")})\n` +
      `  ratio cluster/single   ${(many / one).toFixed(2)}\n`,
  );
} finally {
  await cluster.stop();
  await single.stop();
  await mongo.stop();
}
