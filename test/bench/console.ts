/**
 * Console benchmark: the jobs page (`/core4/jobs`) and a job page over a job type with 100,000 journal
 * entries and 10,000 jobs in Redis, timed per request (sequential, median of BENCH_ROUNDS rounds) against
 * the health route (MongoDB and Redis pings) in the same run, paired round by round so that load drift on a
 * shared machine stays out of the ratio. Prints milliseconds and ratios; exits 1 if a request failed or a
 * page took a second or more. Run with `npm run bench:console`.
 *
 * Starts its own in-memory embedded MongoDB server (as a child process) and a redis-server from PATH unless
 * CORE4_REDIS_URL is set; with CORE4_MONGODB_URI=mongodb://… it uses that server instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { loadConfig } from "../../framework/config/index.js";
import { CoreJob } from "../../framework/job/index.js";
import { createLogger, MongoLogSink } from "../../framework/log/index.js";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { startServer } from "../../server/index.js";
import { redisFromEnvOrStart, startMongoProcess } from "../support/service-processes.js";
import { median } from "./stats.js";

const JOURNAL = Number(process.env.BENCH_JOURNAL ?? 100_000);
const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const NAME = "bench.Condense";

const args = z.object({ n: z.number() });
class Condense extends CoreJob.withArgs(args) {
  static override readonly jobName = NAME;
  override execute(): void {}
}

async function main(): Promise<void> {
  const external = process.env.CORE4_MONGODB_URI?.startsWith("mongodb")
    ? process.env.CORE4_MONGODB_URI
    : undefined;
  const mongoServer = external ? undefined : await startMongoProcess();
  const uri = external ?? (mongoServer?.url as string);
  const redis = await redisFromEnvOrStart();
  const home = mkdtempSync(join(tmpdir(), "core4ts-bench-console-"));
  const sysDatabase = `bench_console_${process.pid}`;
  const prefix = `bench-console-${process.pid}`;
  const plugin = definePlugin({ name: "bench", jobs: [Condense] });
  const config = loadConfig({
    env: {},
    overrides: {
      home,
      mongodb: { uri, sysDatabase },
      redis: { url: redis.url, prefix },
      log: { level: "silent", mongoLevel: "warn" },
      server: {
        adminPassword: "bench-admin-password",
        secret: "bench-secret-0123456789abcdef",
        accessLog: "off",
      },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  const sink = new MongoLogSink({ collection: () => mongo.sys("log") });
  const logger = createLogger({ level: "silent", mongoLevel: "warn", sink });
  const runtime = { config, mongo, logger, redisUrl: redis.url, plugins: [plugin] };
  const queue = new JobQueue(runtime);

  // The journal of a busy type: 100,000 finished runs over the last ~28 hours.
  let started = performance.now();
  const journal = mongo.sys<JournalEntry>("journal");
  const now = Date.now();
  const states = ["complete", "complete", "complete", "complete", "failed", "error"] as const;
  for (let offset = 0; offset < JOURNAL; offset += 5_000) {
    const batch: JournalEntry[] = [];
    for (let i = offset; i < Math.min(JOURNAL, offset + 5_000); i++) {
      const finished = new Date(now - i * 1_000);
      batch.push({
        _id: `${i.toString(16).padStart(24, "0")}:${finished.getTime()}:1`,
        job_id: i.toString(16).padStart(24, "0"),
        name: NAME,
        args: { n: i },
        state: states[i % states.length] as JournalEntry["state"],
        progress: { value: 1, message: null },
        attempts: 1,
        attemptsLeft: 0,
        enqueued: new Date(finished.getTime() - 2_000),
        started: new Date(finished.getTime() - 1_000),
        finished,
        runtime: 1,
        sources: [],
        error: null,
        hostname: "bench",
        pid: 1,
        inline: false,
      });
    }
    await journal.insertMany(batch, { ordered: false });
  }
  console.log(`journal: ${JOURNAL} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  started = performance.now();
  for (let offset = 0; offset < JOBS; offset += 250) {
    await Promise.all(
      Array.from({ length: Math.min(250, JOBS - offset) }, (_, i) => queue.enqueue(NAME, { n: offset + i })),
    );
  }
  console.log(`queue: ${JOBS} pending jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const server = await startServer(runtime, {
    port: 0,
    plugins: [plugin],
    queue,
    env: { NODE_ENV: "production" },
  });
  // The indexes the console creates in the background at start: wait for them here.
  await Promise.all([
    journal.createIndex({ finished: -1, _id: -1 }),
    journal.createIndex({ name: 1, finished: -1, _id: -1 }),
    journal.createIndex({ state: 1, finished: -1, _id: -1 }),
    journal.createIndex({ job_id: 1, finished: -1 }),
    mongo.sys("log").createIndex({ identifier: 1, created: 1 }),
  ]);
  const login = await fetch(`${server.url}/core4/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "bench-admin-password" }),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const page = { authorization: `Bearer ${token}`, accept: "text/html" };

  const deep = `${JOURNAL - 500}`.padStart(1, "0");
  const deepCursor = `${now - Number(deep) * 1_000}.${Number(deep).toString(16).padStart(24, "0")}:${now - Number(deep) * 1_000}:1`;
  const subjects: [string, string, Record<string, string>][] = [
    ["GET /core4/jobs", "/core4/jobs", page],
    [`GET /core4/jobs?name=${NAME}`, `/core4/jobs?name=${NAME}`, page],
    ["GET /core4/jobs?state=error", "/core4/jobs?state=error", page],
    ["GET /core4/jobs (runs page 200)", `/core4/jobs?before=${encodeURIComponent(deepCursor)}`, page],
    ["GET /core4/jobs?page=20", "/core4/jobs?page=20", page],
    ["GET /core4/jobs/:id (journal)", `/core4/jobs/${(42).toString(16).padStart(24, "0")}`, page],
    ["GET /core4/api/v1/jobs/types", "/core4/api/v1/jobs/types", { authorization: page.authorization }],
  ];
  const time = async (path: string, headers: Record<string, string>): Promise<number> => {
    const t = performance.now();
    const response = await fetch(`${server.url}${path}`, { headers });
    const body = await response.text();
    const ms = performance.now() - t;
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${body.slice(0, 200)}`);
    return ms;
  };
  // Warm up.
  for (const [, path, headers] of subjects) await time(path, headers);
  await time("/core4/api/v1/health", {});

  const health: number[] = [];
  const pages = subjects.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, [, path, headers]] of subjects.entries()) {
      health.push(await time("/core4/api/v1/health", {}));
      pages[i]?.push(await time(path, headers));
    }
  }
  const base = median(health);
  console.log(`\n${ROUNDS} rounds, sequential requests; health median ${base.toFixed(1)} ms\n`);
  let slow = false;
  for (const [i, [name]] of subjects.entries()) {
    const ms = median(pages[i] as number[]);
    if (ms >= 1_000) slow = true;
    console.log(
      `${name.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms   ${(ms / base).toFixed(1).padStart(6)}x health`,
    );
  }

  await server.close();
  // Leave nothing behind in a Redis the bench did not start.
  await queue.queue(NAME).obliterate({ force: true });
  await queue.close();
  await mongo
    .db(sysDatabase)
    .dropDatabase()
    .catch(() => undefined);
  await logger.flush();
  await sink.close();
  await mongo.close();
  await mongoServer?.stop();
  await redis.stop();
  rmSync(home, { recursive: true, force: true });
  if (slow) {
    console.error("FAIL: a page took a second or more");
    process.exit(1);
  }
  console.log("OK: every page under a second");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
