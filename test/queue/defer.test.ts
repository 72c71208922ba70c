import { afterAll, describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually } from "../job/support.js";

class WaitsOnce extends CoreJob {
  static override readonly jobName = "t.WaitsOnce";
  static override readonly deferTime = 1;
  override async execute(): Promise<void> {
    if ((await this.cookie.inc("runs")) === 1) this.defer("source not ready");
  }
}

class WaitsForever extends CoreJob {
  static override readonly jobName = "t.WaitsForever";
  static override readonly deferTime = 0;
  static override readonly deferMax = 0;
  override execute(): never {
    this.defer("still not ready");
  }
}

describe("defer", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [WaitsOnce, WaitsForever] })]);
  const queue = new JobQueue(runtime);
  const pool = await startWorkerPool(runtime, { concurrency: 2 });
  const journal = runtime.mongo.sys<JournalEntry>("journal");
  afterAll(async () => {
    await pool.close();
    await queue.close();
  });

  it("retries a deferred job later without using an attempt", async () => {
    const { id } = await queue.enqueue(WaitsOnce);
    const deferred = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "deferred" ? r : undefined;
    });
    expect(deferred).toMatchObject({ attempts: 0, attemptsLeft: 1, error: "source not ready" });
    const complete = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "complete" ? r : undefined;
    });
    expect(complete.attempts).toBe(1);
    const runs = await eventually(async () => {
      const entries = await journal.find({ job_id: id }).sort({ finished: 1 }).toArray();
      return entries.length === 2 ? entries : undefined;
    });
    expect(runs.map((r) => r.state)).toEqual(["deferred", "complete"]);
  });

  it("turns a job inactive once it defers beyond deferMax", async () => {
    const { id } = await queue.enqueue(WaitsForever);
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "inactive" ? r : undefined;
    });
    expect(record.error).toBe("still not ready");
    const restarted = await queue.restart(id);
    expect(["pending", "running", "inactive"]).toContain(restarted.state);
  });
});
