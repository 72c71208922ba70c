import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime } from "../job/support.js";

const args = z.object({ n: z.number().int(), fail: z.boolean().default(false) });

class Ping extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Ping";
  static override readonly journal = "failures";
  override async execute({ fail }: z.output<typeof args>): Promise<void> {
    await this.cookie.inc("runs");
    if (fail) throw new Error("ping lost");
  }
}

describe("journal: failures", () => {
  it("journals only the runs that did not complete, also after the recovery check", async () => {
    const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Ping] })]);
    const queue = new JobQueue(runtime);
    const pool = await startWorkerPool(runtime, { journalRecoveryInterval: 100, journalRecoverySettle: 0 });
    try {
      await queue.enqueueMany(Ping, [
        ...Array.from({ length: 20 }, (_, n) => ({ n })),
        { n: 100, fail: true },
        { n: 101, fail: true },
      ]);
      const cookies = runtime.mongo.sys<{ _id: string; runs?: number; last_runtime?: Date }>("cookie");
      await expect
        .poll(async () => (await cookies.findOne({ _id: "t.Ping" }))?.runs, { timeout: 20_000 })
        .toBe(22);
      const journal = runtime.mongo.sys<JournalEntry>("journal");
      await expect.poll(() => journal.countDocuments({ name: "t.Ping" }), { timeout: 20_000 }).toBe(2);
      // Several recovery sweeps later the complete runs are still not journaled.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const entries = await journal.find({ name: "t.Ping" }).toArray();
      expect(entries.map((e) => e.state)).toEqual(["error", "error"]);
      expect((await cookies.findOne({ _id: "t.Ping" }))?.last_runtime).toBeInstanceOf(Date);
    } finally {
      await pool.close();
      await queue.close();
    }
  });
});
