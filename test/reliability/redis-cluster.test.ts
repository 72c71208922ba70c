import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Queue, Worker } from "bullmq";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobExistsError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import {
  connectRedis,
  JobQueue,
  queueNameOf,
  startScheduler,
  startWorkerPool,
} from "../../framework/queue/index.js";
import { JournalRecovery } from "../../framework/queue/journal-recovery.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { pingRedis } from "../../framework/services/index.js";
import { redisProbe } from "../../server/app/redis-probe.js";
import { createTestRuntime, eventually as eventuallyWithin, sleep } from "../job/support.js";
import { startRedisCluster } from "../support/redis-cluster.js";
import { testMongoUri } from "../support/services.js";
import { reliabilityPlugin, Step } from "./checkpoint-job.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

const args = z.object({ n: z.number().int() });

class Counted extends CoreJob.withArgs(args) {
  static override readonly jobName = "rc.Counted";
  override async execute(input: { n: number }): Promise<void> {
    this.setSource("counted");
    await this.collection("rc/effects").insertOne({ job: this.id, n: input.n });
  }
}

class Endless extends CoreJob {
  static override readonly jobName = "rc.Endless";
  static override readonly progressInterval = 0;
  override async execute(): Promise<void> {
    for (let i = 0; ; i++) {
      await this.progress(0.5, "round %d", i);
      await sleep(50, this.signal);
    }
  }
}

class EverySecond extends CoreJob {
  static override readonly jobName = "rc.EverySecond";
  static override readonly schedule = "* * * * * *";
  override async execute(): Promise<void> {
    this.setSource("tick");
    await this.collection("rc/ticks").insertOne({ at: new Date(), job: this.id });
  }
}

class Orphan extends CoreJob.withArgs(args) {
  static override readonly jobName = "rc.Orphan";
  override execute(): void {}
}

describe("on a Redis Cluster (3 masters, 3 replicas)", async () => {
  const cluster = await startRedisCluster();
  const plugins = [definePlugin({ name: "rc", jobs: [Counted, Endless, EverySecond, Orphan] })];
  const runtime = await createTestRuntime(plugins, { redisUrl: cluster.url });
  const operator = await createTestRuntime(plugins, { share: runtime, redisUrl: cluster.url });
  const queue = new JobQueue(operator);
  const pool = await startWorkerPool(runtime, {
    jobs: ["rc.Counted", "rc.Endless", "rc.EverySecond"],
    journalRecoveryInterval: 0,
    // A worker left wedged by the failover test (an idle one, on the killed master) is replaced quickly.
    watchdogInterval: 2_000,
  });
  const effects = runtime.mongo.collection("rc/effects");
  const journal = runtime.mongo.sys<JournalEntry>("journal");
  afterAll(async () => {
    await pool.close();
    await queue.close();
    await cluster.stop();
  });

  const finished = (id: string) =>
    eventually(async () => {
      const record = await queue.get(id);
      return ["complete", "killed", "error"].includes(record.state) ? record : undefined;
    }, 100);

  it("answers the health probes only as a whole cluster", async () => {
    expect(await pingRedis(cluster.url)).toEqual({ ok: true });
    const health = redisProbe(cluster.url);
    expect(await health.probe()).toBe(true);
    await health.close();
  });

  it("runs, deduplicates, kills and restarts jobs", async () => {
    const { id } = await queue.enqueue(Counted, { n: 1 });
    expect((await finished(id)).state).toBe("complete");
    expect(await effects.countDocuments({ job: id })).toBe(1);

    const waiting = await queue.enqueue(Counted, { n: 2 }, { delay: 3600 });
    await expect(queue.enqueue(Counted, { n: 2 })).rejects.toThrow(JobExistsError);
    expect((await queue.kill(waiting.id)).state).toBe("killed");
    await queue.restart(waiting.id);
    expect((await finished(waiting.id)).state).toBe("complete");
    expect(await effects.countDocuments({ job: waiting.id })).toBe(1);

    const endless = await queue.enqueue(Endless);
    await eventually(async () => ((await queue.get(endless.id)).progress.value > 0 ? true : undefined));
    await queue.kill(endless.id);
    expect((await finished(endless.id)).state).toBe("killed");
    const entries = await eventually(async () => {
      const found = await journal.find({ job_id: { $in: [id, waiting.id, endless.id] } }).toArray();
      return found.length >= 4 ? found : undefined;
    });
    expect(entries.map((e) => e.state).sort()).toEqual(["complete", "complete", "killed", "killed"]);
  });

  it("runs scheduled jobs", { timeout: 60_000 }, async () => {
    const scheduler = await startScheduler(runtime);
    try {
      await eventually(
        async () => (await runtime.mongo.collection("rc/ticks").countDocuments()) >= 2 || undefined,
        200,
      );
    } finally {
      await scheduler.close();
    }
  });

  it("recovers the journal entry of a run whose worker ended before writing it", async () => {
    const { id } = await queue.enqueue(Orphan, { n: 7 });
    const connection = connectRedis(cluster.url, { maxRetriesPerRequest: null });
    connection.on("error", () => {});
    const bull = new Queue(queueNameOf(Orphan.jobName), { connection, prefix: runtime.prefix });
    const worker = new Worker(queueNameOf(Orphan.jobName), async () => undefined, {
      connection,
      prefix: runtime.prefix,
    });
    try {
      await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined), 100);
      await worker.close();
      expect(await journal.countDocuments({ job_id: id })).toBe(0);
      const recovery = new JournalRecovery([bull], connection, journal, runtime.logger, { settleMs: 0 });
      expect(await recovery.sweep()).toBe(1);
      expect(await journal.findOne({ job_id: id })).toMatchObject({ state: "complete", recovered: true });
    } finally {
      await worker.close();
      await bull.close();
      connection.disconnect();
    }
  });

  it("loses no job and runs none twice when the queue's master is killed with -9 mid-run", {
    timeout: 120_000,
  }, async () => {
    const steps = await createTestRuntime([reliabilityPlugin], { redisUrl: cluster.url });
    const stepQueue = new JobQueue(steps);
    const workers: ChildProcess[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const child = spawn(
          process.execPath,
          ["--conditions=core4ts-source", "--import", "tsx", "test/reliability/worker-process.ts"],
          {
            env: {
              ...process.env,
              TEST_MONGODB_URI: await testMongoUri(),
              TEST_SYS_DATABASE: steps.mongo.sysDatabase,
              TEST_REDIS_URL: cluster.url,
              TEST_PREFIX: steps.prefix,
              TEST_CONCURRENCY: "3",
              // Locks outlast the failover (a few seconds): a run whose lock expired would run twice.
              TEST_LOCK_DURATION: "30000",
              TEST_STALLED_INTERVAL: "5000",
            },
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        workers.push(child);
        const [ready] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
        expect(ready.toString()).toContain("ready");
      }
      const count = 60;
      const ids: string[] = [];
      for (let n = 0; n < count; n++) ids.push((await stepQueue.enqueue(Step, { n })).id);
      const stepEffects = steps.mongo.collection("reliability/effects");
      await eventually(async () => ((await stepEffects.countDocuments()) >= 10 ? true : undefined), 50);

      const master = await cluster.masterOf(`${steps.prefix}:${queueNameOf(Step.jobName)}:wait`);
      master.child.kill("SIGKILL");
      await once(master.child, "exit");

      const states = await eventually(async () => {
        const records = await Promise.all(ids.map((id) => stepQueue.get(id).catch(() => undefined)));
        return records.every((r) => r?.state === "complete") ? records : undefined;
      }, 250);
      expect(states).toHaveLength(count);
      const runs = await stepEffects
        .aggregate<{ _id: string; runs: number }>([{ $group: { _id: "$job", runs: { $sum: 1 } } }])
        .toArray();
      expect(runs).toHaveLength(count);
      expect(runs.filter((r) => r.runs !== 1)).toEqual([]);
      const entries = await eventually(async () => {
        const found = await steps.mongo
          .sys<JournalEntry>("journal")
          .find({ job_id: { $in: ids } })
          .toArray();
        return found.length >= count ? found : undefined;
      }, 200);
      expect(entries).toHaveLength(count);
      expect(new Set(entries.map((e) => e.job_id)).size).toBe(count);
    } finally {
      for (const child of workers) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          await once(child, "exit");
        }
      }
      await stepQueue.close();
    }
  });
});
