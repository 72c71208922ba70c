import { afterAll, describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import { createTestRuntime, eventually, sleep } from "../job/support.js";

class Slow extends CoreJob {
  static override readonly jobName = "t.Slow";
  override async execute(): Promise<void> {
    const run = await this.cookie.inc("runs");
    // The first run outlasts the shutdown timeout; the second one is quick.
    if (run === 1) await sleep(10_000, this.signal);
  }
}

describe("graceful shutdown", async () => {
  const plugins = [definePlugin({ name: "t", jobs: [Slow] })];
  const runtime = await createTestRuntime(plugins);
  const queue = new JobQueue(runtime);
  afterAll(() => queue.close());

  it("interrupts what still runs after the deadline and puts it back without using an attempt", async () => {
    const first = await startWorkerPool(runtime, { shutdownTimeout: 0.2 });
    const { id } = await queue.enqueue(Slow);
    await eventually(async () => ((await queue.get(id)).state === "running" ? true : undefined));
    await first.close();
    expect(first.active).toBe(0);
    const back = await queue.get(id);
    expect(back).toMatchObject({ state: "pending", attempts: 0 });
    const second = await startWorkerPool(runtime);
    try {
      const done = await eventually(async () => {
        const r = await queue.get(id);
        return r.state === "complete" ? r : undefined;
      });
      expect(done.attempts).toBe(1);
      await sleep(0);
    } finally {
      await second.close();
    }
  });
});
