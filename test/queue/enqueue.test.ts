import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobArgumentError, JobExistsError, UnknownJobError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime } from "../job/support.js";

const args = z.object({ start: z.date().optional(), reset: z.boolean().default(false) });

class Aggregate extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Aggregate";
  static override readonly attempts = 2;
  override execute(): void {}
}

describe("enqueue", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Aggregate] })]);
  const queue = new JobQueue(runtime);
  afterAll(() => queue.close());

  it("queues a pending job with validated, stored arguments", async () => {
    const record = await queue.enqueue("t.Aggregate", { start: "2026-01-01", reset: "no" });
    expect(record).toMatchObject({
      name: "t.Aggregate",
      state: "pending",
      args: { start: "2026-01-01T00:00:00.000Z", reset: false },
      attempts: 0,
      attemptsLeft: 2,
      progress: { value: 0, message: null },
    });
    expect((await queue.get(record.id)).state).toBe("pending");
  });

  it("refuses a bad argument at enqueue with its name in the message", async () => {
    const before = (await queue.list({ name: "t.Aggregate" })).length;
    const refusal = await queue.enqueue(Aggregate.jobName, { start: "31/12/2026" }).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(JobArgumentError);
    expect((refusal as Error).message).toContain('"start"');
    // Nothing was queued for the refused arguments.
    expect(await queue.list({ name: "t.Aggregate" })).toHaveLength(before);
  });

  it("refuses an unknown job name clearly", async () => {
    await expect(queue.enqueue("t.Nope")).rejects.toThrow(UnknownJobError);
    await expect(queue.enqueue("t.Nope")).rejects.toThrow(/registered: t.Aggregate/);
  });

  it("refuses a second job of the same name and arguments, naming the queued one", async () => {
    const first = await queue.enqueue(Aggregate.jobName, { reset: "yes" });
    const second = await queue.enqueue(Aggregate, { reset: true }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(JobExistsError);
    expect((second as JobExistsError).existingId).toBe(first.id);
    expect((second as Error).message).toContain(first.id);
    // Other arguments are another job.
    await expect(
      queue.enqueue(Aggregate.jobName, { reset: true, start: "2026-02-01" }),
    ).resolves.toMatchObject({
      state: "pending",
    });
  });

  it("accepts the same job again once the queued one is removed", async () => {
    const first = await queue.enqueue(Aggregate.jobName, { start: "2025-05-05" });
    await queue.remove(first.id);
    const again = await queue.enqueue(Aggregate.jobName, { start: "2025-05-05" });
    expect(again.id).not.toBe(first.id);
  });

  it("lists jobs by state", async () => {
    for (const start of ["2024-01-01", "2024-01-02", "2024-01-03"])
      await queue.enqueue(Aggregate.jobName, { start });
    const pending = await queue.list({ state: "pending" });
    expect(pending.length).toBeGreaterThanOrEqual(3);
    expect(pending.every((r) => r.state === "pending")).toBe(true);
    expect(await queue.list({ state: "complete" })).toEqual([]);
  });
});
