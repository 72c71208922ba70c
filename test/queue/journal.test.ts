import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually } from "../job/support.js";

const args = z.object({ day: z.date() });

class Import extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Import";
  override async execute(): Promise<void> {
    this.setSource("upload.csv");
    await this.progress(1, "imported");
  }
}

describe("journal", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Import] })]);
  const queue = new JobQueue(runtime);
  const pool = await startWorkerPool(runtime);
  afterAll(async () => {
    await pool.close();
    await queue.close();
  });

  it("records every finished run in sys.journal, which outlives the job's removal from Redis", async () => {
    const { id } = await queue.enqueue(Import.jobName, { day: "2026-11-01" });
    const entry = await eventually(() =>
      runtime.mongo
        .sys<JournalEntry>("journal")
        .findOne({ job_id: id })
        .then((e) => e ?? undefined),
    );
    expect(entry).toMatchObject({
      name: "t.Import",
      args: { day: "2026-11-01T00:00:00.000Z" },
      state: "complete",
      attempts: 1,
      attemptsLeft: 0,
      progress: { value: 1, message: "imported" },
      sources: ["upload.csv"],
      error: null,
      inline: false,
      pid: process.pid,
    });
    expect(entry.enqueued).toBeInstanceOf(Date);
    expect(entry.started).toBeInstanceOf(Date);
    expect(entry.finished).toBeInstanceOf(Date);
    expect(entry.runtime).toBeGreaterThanOrEqual(0);
    // Retention (here: an explicit remove) takes the job out of Redis; its history stays.
    await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined));
    await queue.remove(id);
    expect(await queue.list({ name: "t.Import" })).toEqual([]);
    expect(await queue.get(id)).toMatchObject({ id, state: "complete", sources: ["upload.csv"] });
  });
});
