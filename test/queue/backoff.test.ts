import { describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { exponentialDelay, JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime } from "../job/support.js";

class AlwaysFails extends CoreJob {
  static override readonly jobName = "t.AlwaysFails";
  static override readonly attempts = 4;
  static override readonly backoff = "exponential";
  static override readonly errorTime = 0.5;
  static override readonly maxErrorTime = 1.2;
  override execute(): void {
    throw new Error("upstream unavailable");
  }
}

class FixedWait extends CoreJob {
  static override readonly jobName = "t.FixedWait";
  static override readonly attempts = 2;
  static override readonly errorTime = 30;
  override execute(): void {
    throw new Error("no");
  }
}

describe("backoff", () => {
  it("exponential delays grow and stay under maxErrorTime, jitter included", () => {
    const max = 86_400_000;
    for (const random of [0, 0.5, 0.999]) {
      const delays = Array.from({ length: 20 }, (_, i) =>
        exponentialDelay(i + 1, 600_000, max, 0.2, () => random),
      );
      for (const delay of delays) expect(delay).toBeLessThanOrEqual(max);
      // Doubling outgrows the 20 % jitter until the cap.
      const uncapped = delays.filter((_, i) => 600_000 * 2 ** i < max);
      for (let i = 1; i < uncapped.length; i++)
        expect(uncapped[i]).toBeGreaterThan(uncapped[i - 1] as number);
      expect(delays.at(-1)).toBeGreaterThanOrEqual(max * 0.8);
    }
    expect(exponentialDelay(1, 1000, 10_000, 0.2, () => 0)).toBe(1000);
    expect(exponentialDelay(3, 1000, 10_000, 0.2, () => 0)).toBe(4000);
    expect(exponentialDelay(3, 1000, 10_000, 0.2, () => 0.999)).toBeGreaterThanOrEqual(3200);
  });

  it("retries a failing job with growing waits capped at maxErrorTime, and shows when it runs next", async () => {
    const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [AlwaysFails, FixedWait] })]);
    const queue = new JobQueue(runtime);
    const pool = await startWorkerPool(runtime, { journalRecoveryInterval: 0 });
    try {
      const fixed = await queue.enqueue(FixedWait);
      await expect.poll(async () => (await queue.get(fixed.id)).state, { timeout: 20_000 }).toBe("failed");
      // Fixed backoff: the retry is errorTime (30 s) after the failed run, in the record and the list.
      const failed = await queue.get(fixed.id);
      expect(failed.nextTry).toBeInstanceOf(Date);
      expect((failed.nextTry?.getTime() ?? 0) - (failed.started?.getTime() ?? 0)).toBeGreaterThanOrEqual(
        30_000,
      );
      expect((failed.nextTry?.getTime() ?? 0) - Date.now()).toBeGreaterThan(20_000);
      const [listed] = await queue.list({ name: "t.FixedWait", state: "failed" });
      expect(listed?.nextTry).toEqual(failed.nextTry);

      const job = await queue.enqueue(AlwaysFails);
      const journal = runtime.mongo.sys<JournalEntry>("journal");
      await expect
        .poll(() => journal.countDocuments({ job_id: job.id }), { timeout: 30_000, interval: 100 })
        .toBe(4);
      const runs = await journal.find({ job_id: job.id }).sort({ started: 1 }).toArray();
      expect(runs.map((r) => r.state)).toEqual(["failed", "failed", "failed", "error"]);
      const waits = runs
        .slice(1)
        .map((r, i) => (r.started?.getTime() ?? 0) - ((runs[i] as JournalEntry).finished?.getTime() ?? 0));
      // 0.5 s · 2^(n−1) less up to 20 %: 0.4–0.5, 0.8–1, then 2 s capped at 1.2 s: 0.96–1.2 (uncapped it
      // would be 1.6–2), plus the worker's pickup latency.
      expect(waits[0]).toBeGreaterThanOrEqual(380);
      expect(waits[1]).toBeGreaterThanOrEqual(780);
      expect(waits[1]).toBeGreaterThan(waits[0] as number);
      expect(waits[2]).toBeGreaterThanOrEqual(940);
      expect(waits[2]).toBeLessThan(1_550);
    } finally {
      await pool.close();
      await queue.close();
    }
  });
});
