import { afterAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime } from "../job/support.js";
import { uniqueName } from "../support/services.js";
import { workerProcesses } from "../support/worker-processes.js";
import { Limited, rateLimitPlugin } from "./support/rate-limited-worker.js";

describe("rateLimit across the pool", async () => {
  const runtime = await createTestRuntime([rateLimitPlugin]);
  const queue = new JobQueue(runtime);
  const starts = uniqueName("starts");
  const workers = workerProcesses(runtime, "test/queue/support/rate-limited-worker.ts", {
    TEST_STARTS: starts,
  });
  const startWorker = () => workers.start();

  afterAll(async () => {
    await workers.stopAll();
    await queue.close();
  });

  it("starts at most 2 runs per second across two worker processes (start times of 10 runs)", {
    timeout: 90_000,
  }, async () => {
    await Promise.all([startWorker(), startWorker()]);
    const results = await queue.enqueueMany(
      Limited,
      Array.from({ length: 10 }, (_, n) => ({ n })),
    );
    expect(results.every((r) => "id" in r)).toBe(true);
    const collection = runtime.mongo.collection<{ n: number; at: Date; pid: number }>(starts, "rl");
    await expect.poll(() => collection.countDocuments(), { timeout: 60_000, interval: 200 }).toBe(10);
    const runs = await collection.find().toArray();
    // Both processes took jobs, each able to run 4 at once: only the pool-wide limit held them back.
    expect(new Set(runs.map((r) => r.pid)).size).toBe(2);
    // Start times as the workers stamped them when they took the job from Redis (BullMQ's processedOn).
    const complete = await queue.list({ name: "rl.Limited", state: "complete" });
    expect(complete).toHaveLength(10);
    const times = complete.map((r) => r.started?.getTime() ?? 0).sort((a, b) => a - b);
    const trace = `starts ${times.map((t) => t - (times[0] as number)).join(", ")} ms`;
    // BullMQ's limiter: a window of 1 s opens at a start and takes at most 2 starts. A start less than 100 ms
    // (the two processes' timing) before a window ends may belong to either window, but not to a full one.
    const tolerance = 100;
    let windowStart = times[0] as number;
    let inWindow = 0;
    for (const at of times) {
      if (at >= windowStart + 1_000 || (inWindow >= 2 && at >= windowStart + 1_000 - tolerance)) {
        windowStart = at;
        inWindow = 0;
      }
      inWindow++;
      expect(inWindow, trace).toBeLessThanOrEqual(2);
    }
    expect((times[9] as number) - (times[0] as number), trace).toBeGreaterThanOrEqual(4_000 - tolerance);
  });
});
