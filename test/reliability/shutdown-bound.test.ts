import { afterAll, describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import { createTestRuntime, eventually as eventuallyWithin, sleep } from "../job/support.js";
import { startRedisServer } from "../support/service-processes.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

class Sleeper extends CoreJob {
  static override readonly jobName = "sb.Sleeper";
  override async execute(): Promise<void> {
    // Ignores its signal on purpose: only the shutdown timeout ends it.
    await sleep(120_000);
  }
}

describe("worker pool shutdown while Redis is gone", async () => {
  const redis = await startRedisServer();
  afterAll(() => redis.stop());
  const plugins = [definePlugin({ name: "sb", jobs: [Sleeper] })];
  const runtime = await createTestRuntime(plugins, { redisUrl: redis.url });
  const queue = new JobQueue(runtime);

  it("ends within its bound (shutdown timeout plus grace), not waiting for Redis", {
    timeout: 50_000,
  }, async () => {
    const pool = await startWorkerPool(runtime, { shutdownTimeout: 1, journalRecoveryInterval: 0 });
    const { id } = await queue.enqueue(Sleeper);
    await eventually(async () => ((await queue.get(id)).state === "running" ? true : undefined));
    await queue.close();
    process.kill(redis.pid as number, "SIGKILL");
    const started = Date.now();
    await pool.close();
    // 1 s shutdown timeout, then 5 s for Redis to take the run back, then the connections are dropped.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
