import { Queue } from "bullmq";
import { describe, expect, it } from "vitest";
import { CoreJob, type JournalEntry } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, queueNameOf, startScheduler, startWorkerPool } from "../../framework/queue/index.js";
import { createTestRuntime, eventually, sleep } from "../job/support.js";
import { testRedisUrl } from "../support/services.js";

class EverySecond extends CoreJob {
  static override readonly jobName = "t.EverySecond";
  static override readonly schedule = "* * * * * *";
  override async execute(): Promise<void> {
    await this.cookie.inc("runs");
  }
}

class Hourly extends CoreJob {
  static override readonly jobName = "t.Hourly";
  static override readonly schedule = "0 * * * *";
  static override readonly timezone = "Europe/Berlin";
  override execute(): void {}
}

class Unscheduled extends CoreJob {
  static override readonly jobName = "t.Unscheduled";
  override execute(): void {}
}

describe("scheduler", async () => {
  const plugins = [definePlugin({ name: "t", jobs: [EverySecond, Hourly, Unscheduled] })];
  const runtime = await createTestRuntime(plugins);
  const other = await createTestRuntime(plugins, { share: runtime });
  const bull = (name: string) =>
    new Queue(queueNameOf(name), { connection: { url: testRedisUrl() }, prefix: runtime.prefix });

  it("installs one schedule per scheduled job, also when several schedulers start at once", async () => {
    const schedulers = await Promise.all([
      startScheduler(runtime),
      startScheduler(other),
      startScheduler(runtime),
    ]);
    expect(schedulers[0]?.schedules.map((s) => [s.jobName, s.pattern, s.timezone])).toEqual([
      ["t.EverySecond", "* * * * * *", "UTC"],
      ["t.Hourly", "0 * * * *", "Europe/Berlin"],
    ]);
    await Promise.all(schedulers.map((s) => s.close()));
    for (const name of ["t.EverySecond", "t.Hourly"]) {
      const queue = bull(name);
      expect(await queue.getJobSchedulersCount()).toBe(1);
      // One next run, not one per scheduler started (already waiting when its second has come).
      const counts = await queue.getJobCounts("delayed", "waiting", "prioritized");
      expect((counts.delayed ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0)).toBe(1);
      await queue.close();
    }
  });

  it("fires on a seconds-level cron pattern and the runs reach the journal", async () => {
    // Its own scheduler: the test must not rely on an earlier test having installed the schedule.
    const scheduler = await startScheduler(runtime);
    const pool = await startWorkerPool(runtime, { jobs: ["t.EverySecond"] });
    const queue = new JobQueue(runtime);
    try {
      await eventually(async () => {
        const runs = await runtime.mongo
          .sys<JournalEntry>("journal")
          .countDocuments({ name: "t.EverySecond", state: "complete" });
        return runs >= 2 ? runs : undefined;
      });
      expect((await queue.list({ name: "t.EverySecond", state: "complete" })).length).toBeGreaterThanOrEqual(
        2,
      );
    } finally {
      await scheduler.close();
      await pool.close();
      await queue.close();
    }
  });

  it("catches a missed run up once after downtime, not once per missed slot", {
    timeout: 30_000,
  }, async () => {
    const downtime = await createTestRuntime([definePlugin({ name: "t", jobs: [EverySecond] })]);
    const scheduler = await startScheduler(downtime);
    await scheduler.close();
    // No worker for five seconds: five slots of the every-second schedule go by.
    await sleep(5_000);
    const pool = await startWorkerPool(downtime);
    await sleep(1_500);
    await pool.close();
    const runs = await downtime.mongo.sys<JournalEntry>("journal").countDocuments({ name: "t.EverySecond" });
    // One catch-up run plus at most two regular ones in the 1.5 s that followed; a backfill would be 6+.
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(3);
  });

  it("removes a schedule that config disables", async () => {
    const disabled = await createTestRuntime(plugins, {
      share: runtime,
      overrides: { jobs: { "t.Hourly": { schedule: null } } },
    });
    const scheduler = await startScheduler(disabled);
    await scheduler.close();
    expect(scheduler.schedules.map((s) => s.jobName)).toEqual(["t.EverySecond"]);
    const queue = bull("t.Hourly");
    expect(await queue.getJobSchedulersCount()).toBe(0);
    await queue.close();
  });

  it("refuses an invalid pattern naming the job", async () => {
    const broken = await createTestRuntime(plugins, {
      overrides: { jobs: { "t.Hourly": { schedule: "every hour" } } },
    });
    await expect(startScheduler(broken)).rejects.toThrow(/invalid schedule "every hour" .*t.Hourly/);
  });
});
