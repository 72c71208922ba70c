import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobArgumentError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { type EnqueueResult, JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime } from "../job/support.js";

const args = z.object({ n: z.number().int(), day: z.date().optional() });

class Item extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Item";
  override execute(): void {}
}

const ids = (results: EnqueueResult[]) => results.flatMap((r) => ("id" in r ? [r.id] : []));
const refusals = (results: EnqueueResult[]) => results.flatMap((r) => ("refused" in r ? [r] : []));

describe("enqueueMany", () => {
  const plugins = [definePlugin({ name: "t", jobs: [Item] })];
  const queues: JobQueue[] = [];
  afterAll(() => Promise.all(queues.map((q) => q.close())));
  /** A queue on a prefix of its own: each test counts only its own jobs. */
  const freshQueue = async () => {
    const queue = new JobQueue(await createTestRuntime(plugins));
    queues.push(queue);
    return queue;
  };

  it("enqueues 1,000 items with 10 duplicates as 990 jobs and 10 refusals naming the queued ones", async () => {
    const queue = await freshQueue();
    const list = Array.from({ length: 990 }, (_, n) => ({ n }));
    // Ten repeats of earlier items, spread through the list.
    for (let k = 0; k < 10; k++) list.splice(100 * k + 50, 0, { n: k * 7 });
    const results = await queue.enqueueMany("t.Item", list, { batchSize: 300 });
    expect(results).toHaveLength(1_000);
    expect(results.map((r) => r.index)).toEqual(list.map((_, i) => i));
    expect(new Set(ids(results)).size).toBe(990);
    const refused = refusals(results);
    expect(refused).toHaveLength(10);
    for (const refusal of refused) {
      expect(refusal.refused).toBe("duplicate");
      const first = results.find(
        (r) => "id" in r && (list[r.index] as { n: number }).n === (list[refusal.index] as { n: number }).n,
      );
      expect(refusal.existingId).toBe(first && "id" in first ? first.id : "?");
      expect(refusal.error).toContain(refusal.existingId);
    }
    expect(await queue.list({ name: "t.Item", state: "pending", limit: 5_000 })).toHaveLength(990);
    // Against jobs already queued, too.
    const again = await queue.enqueueMany(Item, [{ n: 1 }, { n: 5_000 }]);
    expect(again[0]).toMatchObject({ refused: "duplicate" });
    expect(again[1]).toHaveProperty("id");
  });

  it("refuses items with bad arguments by index and reason, and queues the rest", async () => {
    const queue = await freshQueue();
    const results = await queue.enqueueMany("t.Item", [
      { n: 10_001 },
      { n: "many" },
      { n: 10_002, extra: 1 },
    ]);
    expect(results[0]).toHaveProperty("id");
    expect(results[1]).toMatchObject({ index: 1, refused: "bad_argument" });
    expect("refused" in (results[1] as EnqueueResult) && (results[1] as { error: string }).error).toMatch(
      /"n"/,
    );
    expect(results[2]).toMatchObject({ index: 2, refused: "bad_argument" });
  });

  it("applies enqueue options to every item and refuses bad ones before queueing anything", async () => {
    const queue = await freshQueue();
    const results = await queue.enqueueMany("t.Item", [{ n: 20_001 }, { n: 20_002 }], {
      delay: 600,
      priority: 3,
      attempts: 4,
    });
    for (const id of ids(results)) {
      const record = await queue.get(id);
      expect(record).toMatchObject({ state: "pending", attemptsLeft: 4 });
      expect((record.nextTry?.getTime() ?? 0) - Date.now()).toBeGreaterThan(590_000);
    }
    await expect(queue.enqueueMany("t.Item", [{ n: 20_003 }], { attempts: 0 })).rejects.toThrow(
      JobArgumentError,
    );
    await expect(queue.enqueueMany("t.Item", [{ n: 20_003 }], { attempts: 0 })).rejects.toThrow(/"attempts"/);
    expect(await queue.list({ name: "t.Item", state: "pending", limit: 5_000 })).toHaveLength(2);
  });
});
