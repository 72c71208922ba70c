import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type CookieDocument, CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually } from "../job/support.js";

const args = z.object({ day: z.date(), times: z.number().int().default(1) });

class Typed extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Typed";
  static override readonly progressInterval = 0;

  override async execute({ day, times }: z.output<typeof args>): Promise<void> {
    // Typed arguments arrive restored from Redis: a Date and a number.
    this.setSource(`${day.getUTCFullYear()}-${typeof times}`);
    await this.collection("worker_test/seen").insertOne({ day, times });
    await this.progress(1, "done %d", times);
  }
}

class Flaky extends CoreJob {
  static override readonly jobName = "t.Flaky";
  static override readonly attempts = 2;
  static override readonly errorTime = 0;
  override async execute(): Promise<void> {
    throw new Error(`broken on attempt ${this.attempt}`);
  }
}

describe("worker pool", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Typed, Flaky] })]);
  const queue = new JobQueue(runtime);
  const pool = await startWorkerPool(runtime, { concurrency: 2 });
  afterAll(async () => {
    await pool.close();
    await queue.close();
  });

  it("runs a job to complete with typed arguments, progress, sources and timings", async () => {
    const { id } = await queue.enqueue(Typed.jobName, { day: "2026-11-27", times: "3" });
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "complete" ? r : undefined;
    });
    expect(record).toMatchObject({
      state: "complete",
      progress: { value: 1, message: "done 3" },
      attempts: 1,
      sources: ["2026-number"],
      error: null,
    });
    expect(record.started).toBeInstanceOf(Date);
    expect(record.finished).toBeInstanceOf(Date);
    expect(record.runtime).toBeGreaterThanOrEqual(0);
    const seen = await runtime.mongo.collection("worker_test/seen").findOne({ _job_id: id });
    expect(seen).toMatchObject({ day: new Date("2026-11-27T00:00:00Z"), times: 3, _src: "2026-number" });
    const cookie = await eventually(() =>
      runtime.mongo
        .sys<CookieDocument>("cookie")
        .findOne({ _id: "t.Typed" })
        .then((c) => c ?? undefined),
    );
    expect(cookie.last_runtime).toBeInstanceOf(Date);
  });

  it("retries a failing job and turns it to error when attempts are used up", async () => {
    const { id } = await queue.enqueue(Flaky);
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "error" ? r : undefined;
    });
    expect(record).toMatchObject({ attempts: 2, attemptsLeft: 0, error: "broken on attempt 2" });
    const runs = await eventually(async () => {
      const entries = await runtime.mongo
        .sys<JournalEntry>("journal")
        .find({ job_id: id })
        .sort({ attempts: 1 })
        .toArray();
      return entries.length === 2 ? entries : undefined;
    });
    expect(runs.map((r) => r.state)).toEqual(["failed", "error"]);
  });

  it("restarts a job in error with fresh attempts", async () => {
    const { id } = await queue.enqueue(Flaky, {}, { attempts: 1 });
    await eventually(async () => ((await queue.get(id)).state === "error" ? true : undefined));
    const restarted = await queue.restart(id);
    expect(["pending", "running", "error"]).toContain(restarted.state);
    const runs = await eventually(async () => {
      const n = await runtime.mongo.sys<JournalEntry>("journal").countDocuments({ job_id: id });
      return n === 2 ? n : undefined;
    });
    expect(runs).toBe(2);
  });
});
