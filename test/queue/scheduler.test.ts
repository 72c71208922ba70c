import { describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startScheduler, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime } from "../job/support.js";

/** A clock the test moves by hand. */
function testClock(iso: string) {
  let now = Date.parse(iso);
  return {
    now: () => now,
    set: (at: string) => {
      now = Date.parse(at);
    },
  };
}

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

class CatchAll extends CoreJob {
  static override readonly jobName = "t.CatchAll";
  static override readonly schedule = "* * * * *";
  static override readonly catchup = "all";
  static override readonly overlap = "allow";
  override execute(): void {}
}

class CatchOne extends CoreJob {
  static override readonly jobName = "t.CatchOne";
  static override readonly schedule = "* * * * *";
  override execute(): void {}
}

class CatchNone extends CoreJob {
  static override readonly jobName = "t.CatchNone";
  static override readonly schedule = "* * * * *";
  static override readonly catchup = "none";
  override execute(): void {}
}

class CatchRecent extends CoreJob {
  static override readonly jobName = "t.CatchRecent";
  static override readonly schedule = "* * * * *";
  static override readonly catchup = "all";
  static override readonly catchupWindow = 150;
  static override readonly overlap = "allow";
  override execute(): void {}
}

// Runs wait here until the test opens the gate; runs after that pass at once.
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => {
  release = resolve;
});
const released = () => gate;

class Skips extends CoreJob {
  static override readonly jobName = "t.Skips";
  static override readonly schedule = "* * * * *";
  override async execute(): Promise<void> {
    await released();
  }
}

class Overlaps extends CoreJob {
  static override readonly jobName = "t.Overlaps";
  static override readonly schedule = "* * * * *";
  static override readonly overlap = "allow";
  override async execute(): Promise<void> {
    await released();
  }
}

class Unscheduled extends CoreJob {
  static override readonly jobName = "t.Unscheduled";
  override execute(): void {}
}

describe("scheduler", () => {
  it("lists pattern, time zone, the next three runs, the last scheduled run and the policies", async () => {
    const runtime = await createTestRuntime([
      definePlugin({ name: "t", jobs: [Hourly, CatchAll, Unscheduled] }),
    ]);
    const clock = testClock("2026-03-01T10:20:00Z");
    const scheduler = await startScheduler(runtime, { interval: 0, now: clock.now });
    const queue = new JobQueue(runtime);
    try {
      expect(scheduler.schedules.map((s) => [s.jobName, s.pattern, s.timezone])).toEqual([
        ["t.CatchAll", "* * * * *", "UTC"],
        ["t.Hourly", "0 * * * *", "Europe/Berlin"],
      ]);
      clock.set("2026-03-01T10:21:01Z");
      await scheduler.tick();
      const views = await queue.schedules();
      const hourly = views.find((v) => v.jobName === "t.Hourly");
      expect(hourly?.next).toHaveLength(3);
      expect(hourly?.next[1]?.getTime()).toBe((hourly?.next[0]?.getTime() ?? 0) + 3_600_000);
      expect(hourly).toMatchObject({
        timezone: "Europe/Berlin",
        last: null,
        policy: { catchup: "one", catchupWindow: 86_400, overlap: "skip" },
      });
      const every = views.find((v) => v.jobName === "t.CatchAll");
      expect(every?.last).toMatchObject({ slot: new Date("2026-03-01T10:21:00Z"), outcome: "enqueued" });
      expect(every?.policy).toEqual({ catchup: "all", catchupWindow: 86_400, overlap: "allow" });
      expect(views.map((v) => v.jobName)).not.toContain("t.Unscheduled");
    } finally {
      await scheduler.close();
      await queue.close();
    }
  });

  it("enqueues a slot once when several schedulers check it at once", async () => {
    const plugins = [definePlugin({ name: "t", jobs: [CatchOne] })];
    const runtime = await createTestRuntime(plugins);
    const clock = testClock("2026-03-01T10:00:30Z");
    const schedulers = await Promise.all(
      [0, 1, 2].map(async () =>
        startScheduler(await createTestRuntime(plugins, { share: runtime }), { interval: 0, now: clock.now }),
      ),
    );
    const queue = new JobQueue(runtime);
    try {
      clock.set("2026-03-01T10:01:00.500Z");
      await Promise.all(schedulers.map((s) => s.tick()));
      expect(await queue.list({ name: "t.CatchOne" })).toHaveLength(1);
    } finally {
      await Promise.all(schedulers.map((s) => s.close()));
      await queue.close();
    }
  });

  it("after three missed slots enqueues 3 runs with catchup all, 1 with one, 0 with none", async () => {
    const runtime = await createTestRuntime([
      definePlugin({ name: "t", jobs: [CatchAll, CatchOne, CatchNone, CatchRecent] }),
    ]);
    const clock = testClock("2026-03-01T10:00:30Z");
    const before = await startScheduler(runtime, { interval: 0, now: clock.now });
    await before.close();
    // Down from 10:00:30 to 10:03:30: the slots 10:01, 10:02 and 10:03 go by.
    clock.set("2026-03-01T10:03:30Z");
    const after = await startScheduler(runtime, { interval: 0, now: clock.now });
    const queue = new JobQueue(runtime);
    try {
      const count = async (name: string) => (await queue.list({ name })).length;
      expect(await count("t.CatchAll")).toBe(3);
      expect(await count("t.CatchOne")).toBe(1);
      expect(await count("t.CatchNone")).toBe(0);
      // catchupWindow 150 s: only 10:02 and 10:03 are recent enough.
      expect(await count("t.CatchRecent")).toBe(2);
      // From then on every slot runs once.
      clock.set("2026-03-01T10:04:00.200Z");
      await after.tick();
      expect(await count("t.CatchNone")).toBe(1);
      expect(await count("t.CatchAll")).toBe(4);
    } finally {
      await after.close();
      await queue.close();
    }
  });

  it("with overlap skip enqueues nothing while a run is going; with allow it does", async () => {
    const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Skips, Overlaps] })]);
    const clock = testClock("2026-03-01T10:00:30Z");
    const scheduler = await startScheduler(runtime, { interval: 0, now: clock.now });
    const queue = new JobQueue(runtime);
    const pool = await startWorkerPool(runtime, { concurrency: 2, journalRecoveryInterval: 0 });
    try {
      clock.set("2026-03-01T10:01:00.300Z");
      await scheduler.tick();
      await expect
        .poll(async () => (await queue.list({ state: "running" })).map((r) => r.name).sort(), {
          timeout: 20_000,
        })
        .toEqual(["t.Overlaps", "t.Skips"]);
      clock.set("2026-03-01T10:02:00.300Z");
      await scheduler.tick();
      expect(await queue.list({ name: "t.Skips" })).toHaveLength(1);
      expect(await queue.list({ name: "t.Overlaps" })).toHaveLength(2);
      const skips = (await queue.schedules()).find((v) => v.jobName === "t.Skips");
      expect(skips?.last).toMatchObject({
        outcome: "skipped",
        id: null,
        slot: new Date("2026-03-01T10:02:00Z"),
      });
      expect(skips?.last?.reason).toMatch(/still queued as /);
    } finally {
      release();
      await expect
        .poll(async () => (await queue.list({ state: ["running", "pending"] })).length, { timeout: 20_000 })
        .toBe(0);
      await pool.close();
      await scheduler.close();
      await queue.close();
    }
  });

  it("fires a seconds-level pattern on the real clock and the runs reach the journal", async () => {
    const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [EverySecond] })]);
    const scheduler = await startScheduler(runtime, { interval: 200 });
    const pool = await startWorkerPool(runtime, { journalRecoveryInterval: 0 });
    try {
      await expect
        .poll(
          () =>
            runtime.mongo
              .sys<JournalEntry>("journal")
              .countDocuments({ name: "t.EverySecond", state: "complete" }),
          { timeout: 20_000 },
        )
        .toBeGreaterThanOrEqual(2);
    } finally {
      await scheduler.close();
      await pool.close();
    }
  });

  it("keeps no schedule that config disables", async () => {
    const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Hourly, CatchOne] })], {
      overrides: { jobs: { "t.Hourly": { schedule: null } } },
    });
    const scheduler = await startScheduler(runtime, { interval: 0 });
    await scheduler.close();
    expect(scheduler.schedules.map((s) => s.jobName)).toEqual(["t.CatchOne"]);
  });

  it("refuses a bad pattern or time zone in config naming the job", async () => {
    const plugins = [definePlugin({ name: "t", jobs: [Hourly] })];
    await expect(
      createTestRuntime(plugins, { overrides: { jobs: { "t.Hourly": { schedule: "every hour" } } } }),
    ).rejects.toThrow(/t\.Hourly.*schedule.*cron pattern/);
    await expect(
      createTestRuntime(plugins, { overrides: { jobs: { "t.Hourly": { timezone: "Mars/Olympus" } } } }),
    ).rejects.toThrow(/t\.Hourly.*timezone.*IANA time zone/);
  });
});
