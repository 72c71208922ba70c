import { afterAll, describe, expect, it } from "vitest";
import { CoreJob, JobArgumentError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime } from "../job/support.js";

class Report extends CoreJob {
  static override readonly jobName = "t.Report";
  override execute(): void {}
}

describe("enqueue options", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Report] })]);
  const queue = new JobQueue(runtime);
  afterAll(() => queue.close());

  it("delays a job by seconds or until a time, with priority and attempts, and shows when it runs", async () => {
    const delayed = await queue.enqueue(Report, {}, { delay: 600, attempts: 3, priority: 2 });
    expect(delayed).toMatchObject({ state: "pending", attemptsLeft: 3 });
    expect((delayed.nextTry?.getTime() ?? 0) - Date.now()).toBeGreaterThan(590_000);
    const bull = await queue.queue("t.Report").getJob(delayed.id);
    expect(bull?.opts).toMatchObject({ priority: 2, attempts: 3, delay: 600_000 });
    await queue.remove(delayed.id);

    const at = new Date(Date.now() + 3_600_000);
    const planned = await queue.enqueue(Report, {}, { at });
    expect(Math.abs((planned.nextTry?.getTime() ?? 0) - at.getTime())).toBeLessThan(1_000);
    expect((await queue.get(planned.id)).nextTry?.getTime()).toBe(planned.nextTry?.getTime());
    await queue.remove(planned.id);

    const now = await queue.enqueue(Report);
    expect(now.nextTry).toBeNull();
    await queue.remove(now.id);
  });

  it("refuses bad options naming them, and queues nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ delay: -1 }, /delay must be a number of seconds >= 0/],
      [{ at: new Date("nope") }, /at must be a date and time/],
      [{ delay: 1, at: new Date() }, /either delay or at/],
      [{ attempts: 0 }, /"attempts" \(enqueue\) must be a whole number >= 1, got 0/],
      [{ priority: -2 }, /"priority" \(enqueue\) must be a whole number from 0/],
      [{ backoff: "linear" }, /"backoff" \(enqueue\) must be "fixed" or "exponential"/],
    ];
    for (const [options, message] of cases) {
      const error = await queue.enqueue(Report, {}, options).catch((e: unknown) => e);
      expect(error, JSON.stringify(options)).toBeInstanceOf(JobArgumentError);
      expect((error as Error).message).toMatch(message);
    }
    expect(await queue.list({ name: "t.Report" })).toHaveLength(0);
  });
});
