import { Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, queueNameOf, startWorkerPool } from "../../framework/queue/index.js";
import { JournalRecovery } from "../../framework/queue/journal-recovery.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually } from "../job/support.js";

const args = z.object({ n: z.number().int() });

class Recover extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Recover";
  override execute(): void {}
}

describe("journal recovery", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Recover] })]);
  const jobs = new JobQueue(runtime);
  const connection = new Redis(runtime.redisUrl as string, { maxRetriesPerRequest: null });
  const queue = new Queue(queueNameOf(Recover.jobName), { connection, prefix: runtime.prefix });
  const journal = runtime.mongo.sys<JournalEntry>("journal");
  afterAll(async () => {
    await queue.close();
    await jobs.close();
    connection.disconnect();
  });

  /**
   * Finishes the next job with a plain BullMQ worker: BullMQ records the end, no journal entry is written,
   * as when a CoreJob worker is killed between the two.
   */
  async function finishWithoutJournal(processor: () => unknown): Promise<void> {
    const worker = new Worker(queueNameOf(Recover.jobName), async () => processor(), {
      connection: connection.duplicate(),
      prefix: runtime.prefix,
    });
    try {
      await new Promise<void>((resolve) => {
        worker.once("completed", () => resolve());
        worker.once("failed", () => resolve());
      });
    } finally {
      await worker.close();
    }
  }

  const recovery = () => new JournalRecovery([queue], connection, journal, runtime.logger, { settleMs: 0 });

  it("writes the entry of a complete run whose worker ended before its journal write", async () => {
    const { id } = await jobs.enqueue(Recover, { n: 1 });
    await finishWithoutJournal(() => ({ sources: ["import.csv"] }));
    expect(await journal.countDocuments({ job_id: id })).toBe(0);

    expect(await recovery().sweep()).toBe(1);
    const entry = await journal.findOne({ job_id: id });
    expect(entry).toMatchObject({
      name: "t.Recover",
      args: { n: 1 },
      state: "complete",
      attempts: 1,
      sources: ["import.csv"],
      error: null,
      recovered: true,
    });
    expect(entry?.finished).toBeInstanceOf(Date);
    // A second sweep, or another pool's, finds it there.
    expect(await recovery().sweep()).toBe(0);
    expect(await journal.countDocuments({ job_id: id })).toBe(1);
  });

  it("writes the entry of a job BullMQ failed without a run's end (stalled too often)", async () => {
    const { id } = await jobs.enqueue(Recover, { n: 2 });
    await finishWithoutJournal(() => {
      throw new UnrecoverableError("job stalled more than allowable limit");
    });
    expect(await recovery().sweep()).toBe(1);
    expect(await journal.findOne({ job_id: id })).toMatchObject({
      state: "error",
      error: "job stalled more than allowable limit",
      recovered: true,
    });
  });

  it("leaves runs the worker journaled alone, and finds the lost ones on its own", async () => {
    const { id: lost } = await jobs.enqueue(Recover, { n: 3 });
    await finishWithoutJournal(() => undefined);
    // The settle time stays above the worker's 250 ms write delay, as the default (30 s) does.
    const pool = await startWorkerPool(runtime, {
      journalRecoveryInterval: 100,
      journalRecoverySettle: 1_000,
    });
    try {
      const { id: normal } = await jobs.enqueue(Recover, { n: 4 });
      const recovered = await eventually(() => journal.findOne({ job_id: lost }).then((e) => e ?? undefined));
      expect(recovered).toMatchObject({ state: "complete", recovered: true });
      const written = await eventually(() => journal.findOne({ job_id: normal }).then((e) => e ?? undefined));
      expect(written.recovered).toBeUndefined();
      expect(written.hostname).not.toBe("");
      // The run id the worker gave its entry is the one a sweep computes: nothing to recover.
      expect(await recovery().sweep()).toBe(0);
      expect(await journal.countDocuments({ job_id: normal })).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
