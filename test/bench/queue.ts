/**
 * Queue benchmark: no-op jobs on the same Redis in the same run, at concurrency 1 and 16, through
 * - raw BullMQ (a queue and a worker, nothing else);
 * - BullMQ+: plain BullMQ doing by hand what CoreJob's features do (deduplication on name and arguments, a
 *   journal document per run batched into MongoDB);
 * - CoreJob (enqueue with argument parsing and the duplicate rule, worker pool, runner, journal);
 * - CoreJob failures: the same job type with `journal: "failures"` (no `sys.journal` write for a complete run).
 *
 * - throughput: a backlog of N jobs is drained by one worker (pool); jobs/s from the first to the last completion.
 * - latency: `concurrency` producers each enqueue a job and wait for its completion event, repeatedly;
 *   p50/p99 of enqueue → completion.
 * - CPU: microseconds of CPU per job while draining, in this process, redis-server and the embedded MongoDB.
 *
 * Each round runs the contenders back to back, BENCH_ROUNDS (default 5) times. A ratio is the median of the
 * paired rounds' ratios (robust to the machine's speed drifting); best-of figures are printed beside it.
 * The targets (issue 18), each printed with "met" or "NOT MET" at the end: CoreJob/BullMQ+ ≥ 0.95 at c=1 and
 * c=16 (the framework's own price), CoreJob/raw ≥ 0.85 at c=1 with every feature on, CoreJob with
 * `journal: "failures"`/raw ≥ 0.85 at c=16.
 * `BENCH_CONCURRENCY=16` and `BENCH_CONTENDERS=raw,failures` shorten a run (names: raw, equivalent, core,
 * failures, objectid, dedupe, jobid). `BENCH_PART=dedupe` compares designs of the duplicate rule on raw BullMQ: BullMQ
 * deduplication on the identity key (what CoreJob does) and the identity key as the job id.
 * Starts its own redis-server (free port) unless CORE4_REDIS_URL is set, and an in-memory embedded MongoDB
 * as a child process (as `coco worker` would use a separate server). Run with `npm run bench:queue`.
 *
 * Bulk enqueue: `JobQueue.enqueueMany` against BullMQ `addBulk` of the same 10,000 jobs in batches of 1,000,
 * both with the duplicate rule on (deduplication on a hash of name and arguments), jobs/s and the median of
 * paired rounds; target ≥ 0.8. `BENCH_PART=bulk` runs only this part, `BENCH_PART=drain` only the others.
 */
import { hostname } from "node:os";
import { Writable } from "node:stream";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { type Document, MongoClient, ObjectId } from "mongodb";
import { z } from "zod";
import { loadConfig } from "../../framework/config/index.js";
import { CoreJob, type JobRuntime, jobIdentityKey } from "../../framework/job/index.js";
import { createLogger } from "../../framework/log/index.js";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { definePlugin } from "../../framework/plugin.js";
import {
  JobQueue,
  KEEP_COMPLETED,
  KEEP_FAILED,
  queueNameOf,
  startWorkerPool,
} from "../../framework/queue/index.js";
import { redisFromEnvOrStart, startMongoProcess } from "../support/service-processes.js";
import { cpuPerUnit, cpuSnapshot } from "./process-cpu.js";

const BACKLOG: Record<number, number> = { 1: 3_000, 16: 10_000 };
const ROUND_TRIPS = 1_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HOST = hostname();

const noopArgs = z.object({ i: z.number().int() });

/** The CoreJob under test: does nothing, like the raw processor. */
class Noop extends CoreJob.withArgs(noopArgs) {
  static override readonly jobName = "bench.Noop";
  // No pool-wide cap, like the raw contender; a finite maxParallel adds BullMQ's global-concurrency check
  // to every job fetch (see docs/jobs.md).
  static override readonly maxParallel = Number.POSITIVE_INFINITY;
  override execute(): void {}
}

/** The same job with `journal: "failures"`: complete runs leave no `sys.journal` entry. */
class NoopFailures extends CoreJob.withArgs(noopArgs) {
  static override readonly jobName = "bench.NoopFailures";
  static override readonly maxParallel = Number.POSITIVE_INFINITY;
  static override readonly journal = "failures";
  override execute(): void {}
}

interface Measurement {
  jobsPerSecond: number;
  p50: number;
  p99: number;
  /** CPU microseconds per job while draining the backlog, by process (bench = producer side + workers). */
  cpu: Record<string, number>;
}

/** Service processes whose CPU time the bench reads (a CORE4_REDIS_URL server is not ours to read). */
type ServicePids = Record<string, number | undefined>;

/** What each contender offers the harness. */
interface Contender {
  add(i: number): Promise<string>;
  queueName: string;
  close(): Promise<void>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Waits for completion events of a queue, by job id. */
class Completions {
  private readonly waiting = new Map<string, () => void>();
  private readonly early = new Set<string>();
  count = 0;
  first = 0;
  last = 0;

  constructor(readonly events: QueueEvents) {
    events.on("completed", ({ jobId }) => {
      this.count++;
      this.last = performance.now();
      if (this.count === 1) this.first = this.last;
      const resolve = this.waiting.get(jobId);
      if (resolve) {
        this.waiting.delete(jobId);
        resolve();
      } else this.early.add(jobId);
    });
  }

  wait(id: string): Promise<void> {
    if (this.early.delete(id)) return Promise.resolve();
    return new Promise((resolve) => this.waiting.set(id, resolve));
  }

  async until(total: number): Promise<void> {
    while (this.count < total) await new Promise((r) => setTimeout(r, 5));
  }
}

async function measure(
  contender: Contender,
  start: () => Promise<{ close(): Promise<void> }>,
  concurrency: number,
  redisUrl: string,
  prefix: string,
  pids: ServicePids,
): Promise<Measurement> {
  const events = new QueueEvents(contender.queueName, { connection: { url: redisUrl }, prefix });
  await events.waitUntilReady();
  const completions = new Completions(events);
  // Throughput: fill the backlog first, then drain it.
  const backlog = BACKLOG[concurrency] as number;
  for (let i = 0; i < backlog; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, backlog - i) }, (_, k) => contender.add(i + k)));
  }
  const before = cpuSnapshot(pids);
  const worker = await start();
  await completions.until(backlog);
  const cpu = cpuPerUnit(before, cpuSnapshot(pids), backlog);
  // From the first completion to the last: start-up costs of either side are not part of the rate.
  const jobsPerSecond = (backlog - 1) / ((completions.last - completions.first) / 1000);
  // Latency: closed loop, `concurrency` producers.
  const latencies: number[] = [];
  let next = backlog;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (latencies.length < ROUND_TRIPS) {
        const t0 = performance.now();
        const id = await contender.add(next++);
        await completions.wait(id);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await worker.close();
  await events.close();
  latencies.sort((a, b) => a - b);
  return { jobsPerSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpu };
}

/**
 * How a raw contender keeps two jobs of the same name and arguments from being queued at once:
 * - `none`: it does not (raw BullMQ);
 * - `objectid`: it does not, but its jobs carry ObjectId job ids as CoreJob's do (the price of such ids);
 * - `dedupe`: BullMQ deduplication on the identity key (what CoreJob does), job ids of its own;
 * - `jobid`: the identity key as the BullMQ job id (BullMQ refuses an id it holds).
 */
type DuplicateRule = "none" | "objectid" | "dedupe" | "jobid";

async function rawContender(
  redisUrl: string,
  prefix: string,
  concurrency: number,
  rule: DuplicateRule = "none",
) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `raw-${rule}-${concurrency}`;
  const queue = new Queue(name, { connection, prefix });
  const contender: Contender = {
    queueName: name,
    add: async (i) => {
      const args = { i };
      const key = rule === "dedupe" || rule === "jobid" ? jobIdentityKey(name, args) : undefined;
      const job = await queue.add("noop", args, {
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
        ...(rule === "dedupe" && {
          jobId: new ObjectId().toHexString(),
          deduplication: { id: key as string },
        }),
        ...(rule === "jobid" && { jobId: key }),
      });
      return String(job.id);
    },
    close: async () => {
      await queue.close();
      await connection.quit();
    },
  };
  const start = async () => {
    const worker = new Worker(name, async () => undefined, { connection, prefix, concurrency });
    await worker.waitUntilReady();
    return worker;
  };
  return { contender, start };
}

/**
 * Plain BullMQ doing the work CoreJob's features do, written by hand: the duplicate rule as BullMQ
 * deduplication on a hash of name and arguments, and a journal document per run, batched into one
 * insertMany per 250 ms. CoreJob against this contender is the price of the framework itself.
 */
async function equivalentContender(redisUrl: string, mongoUri: string, prefix: string, concurrency: number) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `equivalent-${concurrency}`;
  const queue = new Queue(name, { connection, prefix });
  const client = new MongoClient(mongoUri);
  const journal = client.db(`bench_${prefix}`).collection("journal_equivalent");
  let batch: Document[] = [];
  let flushing: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const docs = batch;
    batch = [];
    if (docs.length) flushing = flushing.then(() => journal.insertMany(docs, { ordered: false }));
  };
  const contender: Contender = {
    queueName: name,
    add: async (i) => {
      const args = { i };
      const job = await queue.add("noop", args, {
        jobId: new ObjectId().toHexString(),
        attempts: 1,
        deduplication: { id: jobIdentityKey(name, args) },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      });
      return String(job.id);
    },
    close: async () => {
      clearTimeout(timer);
      flush();
      await flushing;
      await queue.close();
      await connection.quit();
      await client.close();
    },
  };
  const start = async () => {
    const worker = new Worker(
      name,
      async (job) => {
        const started = new Date();
        const finished = new Date();
        batch.push({
          _id: `${job.id}:${job.timestamp}:${job.attemptsStarted}`,
          job_id: job.id,
          name: job.name,
          args: job.data,
          state: "complete",
          progress: { value: 0, message: null },
          attempts: 1,
          attemptsLeft: 0,
          enqueued: new Date(job.timestamp),
          started,
          finished,
          runtime: (finished.getTime() - started.getTime()) / 1000,
          sources: [],
          error: null,
          hostname: HOST,
          pid: process.pid,
          inline: false,
        });
        timer ??= setTimeout(flush, 250);
        return undefined;
      },
      { connection, prefix, concurrency },
    );
    await worker.waitUntilReady();
    return worker;
  };
  return { contender, start };
}

async function coreContender(
  redisUrl: string,
  mongoUri: string,
  prefix: string,
  concurrency: number,
  jobClass: typeof Noop | typeof NoopFailures = Noop,
) {
  const sysDatabase = `bench_${prefix}`;
  const config = loadConfig({
    env: {},
    overrides: {
      mongodb: { uri: mongoUri, sysDatabase },
      redis: { url: redisUrl, prefix },
      log: { level: "warn", mongoLevel: "silent" },
    },
  });
  const mongo = new MongoRegistry({ uri: mongoUri, sysDatabase });
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const logger = createLogger({ name: "bench", level: "warn", mongoLevel: "silent", destination: silent });
  const runtime: JobRuntime = {
    config,
    mongo,
    logger,
    redisUrl,
    plugins: [definePlugin({ name: "bench", jobs: [jobClass] })],
  };
  const jobs = new JobQueue(runtime);
  const contender: Contender = {
    queueName: queueNameOf(jobClass.jobName),
    add: async (i) => (await jobs.enqueue(jobClass, { i })).id,
    close: async () => {
      await jobs.close();
      await mongo.close();
    },
  };
  const start = () => startWorkerPool(runtime, { concurrency });
  return { contender, start, mongo, sysDatabase, runtime, jobName: jobClass.jobName };
}

/** Best round: highest rate, lowest latencies (each taken on its own). */
function best(rounds: Measurement[]): Measurement {
  return {
    jobsPerSecond: Math.max(...rounds.map((r) => r.jobsPerSecond)),
    p50: Math.min(...rounds.map((r) => r.p50)),
    p99: Math.min(...rounds.map((r) => r.p99)),
    cpu: medianCpu(rounds),
  };
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Per process, the median CPU per job over the rounds. */
function medianCpu(rounds: Measurement[]): Record<string, number> {
  const names = Object.keys(rounds[0]?.cpu ?? {});
  return Object.fromEntries(names.map((n) => [n, median(rounds.map((r) => r.cpu[n] ?? 0))]));
}

function totalCpu(cpu: Record<string, number>): number {
  return Object.values(cpu).reduce((a, b) => a + b, 0);
}

function cpuText(cpu: Record<string, number>): string {
  const parts = Object.entries(cpu).map(([name, us]) => `${name} ${us.toFixed(0)}`);
  return `cpu µs/job ${parts.join(" + ")} = ${totalCpu(cpu).toFixed(0)}`;
}

function line(name: string, m: Measurement): void {
  console.log(
    `${name.padEnd(24)} ${m.jobsPerSecond.toFixed(0).padStart(6)} jobs/s   p50 ${m.p50.toFixed(2).padStart(6)} ms   p99 ${m.p99.toFixed(2).padStart(6)} ms   ${cpuText(m.cpu)}`,
  );
}

/**
 * Prints one comparison and returns its jobs/s ratio: the median of the paired rounds' ratios (each pair ran
 * back to back, so the ratio is robust to the machine's speed drifting between rounds), best-of figures, and
 * the CPU each job costs in every process. On a machine both contenders saturate, jobs/s follows that CPU
 * total, a steadier figure than wall-clock rates that also says where the extra work runs.
 */
function report(label: string, concurrency: number, mine: Measurement[], base: Measurement[]): number {
  const paired = base
    .map((b, i) => (mine[i] as Measurement).jobsPerSecond / b.jobsPerSecond)
    .sort((a, b) => a - b);
  const ratio = median(paired);
  const bestMine = best(mine);
  const bestBase = best(base);
  const mineCpu = bestMine.cpu;
  const baseCpu = bestBase.cpu;
  const extra = Object.entries(mineCpu).map(([name, us]) => {
    const delta = us - (baseCpu[name] ?? 0);
    return `${name} ${delta >= 0 ? "+" : ""}${delta.toFixed(0)}`;
  });
  console.log(
    `ratio ${label} c=${concurrency}: jobs/s ${ratio.toFixed(2)} (median of paired rounds ${paired.map((r) => r.toFixed(2)).join(", ")}; best-of ${(bestMine.jobsPerSecond / bestBase.jobsPerSecond).toFixed(2)})   p50 ${(bestMine.p50 / bestBase.p50).toFixed(2)}x   p99 ${(bestMine.p99 / bestBase.p99).toFixed(2)}x`,
  );
  console.log(
    `  cpu per job (median): ${totalCpu(baseCpu).toFixed(0)} → ${totalCpu(mineCpu).toFixed(0)} µs (ratio ${(totalCpu(baseCpu) / totalCpu(mineCpu)).toFixed(2)}); extra by process: ${extra.join(", ")}`,
  );
  return ratio;
}

const BULK_JOBS = 10_000;
const BULK_BATCH = 1_000;

/** Seconds to enqueue BULK_JOBS jobs through BullMQ addBulk with the duplicate rule, by hand. */
async function bulkRaw(redisUrl: string, prefix: string): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = "bulk-raw";
  const queue = new Queue(name, { connection, prefix });
  await queue.waitUntilReady();
  const t0 = performance.now();
  for (let start = 0; start < BULK_JOBS; start += BULK_BATCH) {
    const jobs = Array.from({ length: Math.min(BULK_BATCH, BULK_JOBS - start) }, (_, k) => {
      const data = { i: start + k };
      return {
        name: "noop",
        data,
        opts: {
          jobId: new ObjectId().toHexString(),
          attempts: 1,
          deduplication: { id: jobIdentityKey(name, data) },
          removeOnComplete: KEEP_COMPLETED,
          removeOnFail: KEEP_FAILED,
        },
      };
    });
    const added = await queue.addBulk(jobs);
    // The same per-item answer enqueueMany gives: whether the job is ours or a queued duplicate's.
    if (added.some((job, k) => job.id !== jobs[k]?.opts.jobId)) throw new Error("unexpected duplicate");
  }
  const seconds = (performance.now() - t0) / 1000;
  await queue.close();
  await connection.quit();
  return seconds;
}

/** Seconds to enqueue the same jobs through `JobQueue.enqueueMany`. */
async function bulkCore(redisUrl: string, mongoUri: string, prefix: string): Promise<number> {
  const core = await coreContender(redisUrl, mongoUri, prefix, 1);
  const jobs = new JobQueue(core.runtime);
  await jobs.queue(Noop.jobName).waitUntilReady();
  const t0 = performance.now();
  const results = await jobs.enqueueMany(
    Noop,
    Array.from({ length: BULK_JOBS }, (_, i) => ({ i })),
    { batchSize: BULK_BATCH },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (results.some((r) => !("id" in r))) throw new Error("unexpected refusal");
  await jobs.close();
  await core.contender.close();
  return seconds;
}

async function bulkPart(redisUrl: string, mongoUri: string): Promise<boolean> {
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const prefix = `bulk${Date.now().toString(36)}${round}`;
    const raw = await bulkRaw(redisUrl, prefix);
    const core = await bulkCore(redisUrl, mongoUri, prefix);
    ratios.push(raw / core);
    console.log(
      `  round ${round + 1} addBulk ${(BULK_JOBS / raw).toFixed(0).padStart(6)} jobs/s   enqueueMany ${(BULK_JOBS / core).toFixed(0).padStart(6)} jobs/s`,
    );
  }
  const ratio = median(ratios);
  console.log(
    `ratio enqueueMany/addBulk (${BULK_JOBS} jobs, batches of ${BULK_BATCH}, duplicate rule on): jobs/s ${ratio.toFixed(2)} (median of paired rounds ${[
      ...ratios,
    ]
      .sort((a, b) => a - b)
      .map((r) => r.toFixed(2))
      .join(", ")}; target 0.8)\n`,
  );
  console.log(`target enqueueMany/addBulk ≥ 0.8: ${ratio.toFixed(2)} ${ratio >= 0.8 ? "met" : "NOT MET"}\n`);
  return ratio >= 0.8;
}

/** The contenders of the drain part, by the name `BENCH_CONTENDERS` takes. */
const CONTENDERS: Record<string, { label: string; make: Maker }> = {
  raw: { label: "raw BullMQ", make: (r, _m, p, c) => rawContender(r, p, c) },
  equivalent: { label: "BullMQ+", make: (r, m, p, c) => equivalentContender(r, m, p, c) },
  core: { label: "CoreJob", make: (r, m, p, c) => coreContender(r, m, p, c) },
  failures: { label: "CoreJob failures", make: (r, m, p, c) => coreContender(r, m, p, c, NoopFailures) },
  objectid: { label: "raw + ObjectIds", make: (r, _m, p, c) => rawContender(r, p, c, "objectid") },
  dedupe: { label: "raw + dedupe", make: (r, _m, p, c) => rawContender(r, p, c, "dedupe") },
  jobid: { label: "raw + key as id", make: (r, _m, p, c) => rawContender(r, p, c, "jobid") },
};

type Maker = (
  redisUrl: string,
  mongoUri: string,
  prefix: string,
  concurrency: number,
) => Promise<{
  contender: Contender;
  start: () => Promise<{ close(): Promise<void> }>;
  mongo?: MongoRegistry;
  jobName?: string;
}>;

/** One target of issue 18: a jobs/s ratio in this run against its threshold. */
interface Target {
  text: string;
  mine: string;
  base: string;
  concurrency: number;
  threshold: number;
}

const TARGETS: Target[] = [
  { text: "CoreJob / BullMQ+", mine: "core", base: "equivalent", concurrency: 1, threshold: 0.95 },
  { text: "CoreJob / BullMQ+", mine: "core", base: "equivalent", concurrency: 16, threshold: 0.95 },
  {
    text: "CoreJob (every feature on) / raw BullMQ",
    mine: "core",
    base: "raw",
    concurrency: 1,
    threshold: 0.85,
  },
  {
    text: 'CoreJob with journal: "failures" / raw BullMQ',
    mine: "failures",
    base: "raw",
    concurrency: 16,
    threshold: 0.85,
  },
];

/** The comparisons printed for the contenders that ran, beside the targets. */
const COMPARISONS: [string, string, string][] = [
  ["core", "raw", "CoreJob/raw"],
  ["core", "equivalent", "CoreJob/BullMQ+ (the framework's own price)"],
  ["equivalent", "raw", "BullMQ+/raw (the features' price on plain BullMQ)"],
  ["failures", "raw", 'CoreJob journal "failures"/raw'],
  ["failures", "core", 'CoreJob journal "failures"/CoreJob journal "all"'],
  ["objectid", "raw", "ObjectId job ids/raw"],
  ["dedupe", "raw", "BullMQ deduplication and ObjectId job ids/raw"],
  ["dedupe", "objectid", "BullMQ deduplication/ObjectId job ids (the duplicate rule's price)"],
  ["jobid", "raw", "identity key as job id/raw"],
];

function listOf(text: string | undefined, fallback: string[]): string[] {
  return text
    ? text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : fallback;
}

async function main(): Promise<void> {
  const redis = await redisFromEnvOrStart();
  const mongo = await startMongoProcess();
  const pids: ServicePids = { redis: redis.pid, mongo: mongo.pid };
  const part = process.env.BENCH_PART;
  // `BENCH_PART=dedupe`: only the designs of the duplicate rule on raw BullMQ, to say what each costs.
  const names = listOf(
    process.env.BENCH_CONTENDERS,
    part === "dedupe" ? ["raw", "objectid", "dedupe", "jobid"] : ["raw", "equivalent", "core", "failures"],
  );
  for (const name of names) if (!CONTENDERS[name]) throw new Error(`unknown contender ${name}`);
  const concurrencies = listOf(process.env.BENCH_CONCURRENCY, ["1", "16"]).map(Number);
  const ratios = new Map<string, number>();
  try {
    if (part !== "drain" && part !== "dedupe") await bulkPart(redis.url, mongo.url);
    for (const concurrency of part === "bulk" ? [] : concurrencies) {
      const rounds: Record<string, Measurement[]> = Object.fromEntries(names.map((n) => [n, []]));
      const journaled: Record<string, number> = {};
      // The contenders take turns within each round: the machine is shared and its speed drifts.
      for (let round = 0; round < ROUNDS; round++) {
        const prefix = `bench${Date.now().toString(36)}${round}`;
        // Each round starts with the next contender: none always runs first (a slower start of a round,
        // measured here, would otherwise count against one contender only).
        const order = names.map((_, k) => names[(k + round) % names.length] as string);
        for (const name of order) {
          const made = await (CONTENDERS[name] as { make: Maker }).make(
            redis.url,
            mongo.url,
            prefix,
            concurrency,
          );
          (rounds[name] as Measurement[]).push(
            await measure(made.contender, made.start, concurrency, redis.url, prefix, pids),
          );
          if (made.mongo && made.jobName) {
            const entries = await made.mongo.sys("journal").countDocuments({ name: made.jobName });
            journaled[name] = (journaled[name] ?? 0) + entries;
          }
          await made.contender.close();
        }
        for (const name of names) {
          const label = (CONTENDERS[name] as { label: string }).label;
          line(
            `  round ${round + 1} ${label.padEnd(16)} c=${concurrency}`,
            rounds[name]?.[round] as Measurement,
          );
        }
      }
      for (const name of names) {
        line(
          `${(CONTENDERS[name] as { label: string }).label.padEnd(18)} c=${concurrency}`,
          best(rounds[name] as Measurement[]),
        );
      }
      for (const [mine, base, label] of COMPARISONS) {
        if (!rounds[mine] || !rounds[base]) continue;
        ratios.set(`${mine}/${base}/${concurrency}`, report(label, concurrency, rounds[mine], rounds[base]));
      }
      // With journal "failures" the journal sees no complete run; run counters and cookies still do.
      console.log(`  (journal entries written: ${JSON.stringify(journaled)})\n`);
    }
  } finally {
    await mongo.stop();
    await redis.stop();
  }
  // The targets, each from the ratios of this run (a target whose contenders did not run is skipped).
  for (const t of TARGETS) {
    const ratio = ratios.get(`${t.mine}/${t.base}/${t.concurrency}`);
    if (ratio === undefined) continue;
    console.log(
      `target ${t.text} ≥ ${t.threshold} at c=${t.concurrency}: ${ratio.toFixed(2)} ${ratio >= t.threshold ? "met" : "NOT MET"}`,
    );
  }
}

await main();
