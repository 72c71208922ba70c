import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { CookieDocument } from "../../framework/job/index.js";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import { createTestRuntime, eventually, sleep } from "../job/support.js";

const args = z.object({ n: z.number() });

class Exclusive extends CoreJob.withArgs(args) {
  static override readonly jobName = "t.Exclusive";
  static override readonly maxParallel = 2;
  override async execute(): Promise<void> {
    const running = await this.cookie.inc("running");
    await this.cookie.max("peak", running);
    await sleep(100);
    await this.cookie.dec("running");
    await this.cookie.inc("done");
  }
}

describe("maxParallel", async () => {
  const plugins = [definePlugin({ name: "t", jobs: [Exclusive] })];
  const first = await createTestRuntime(plugins);
  const second = await createTestRuntime(plugins, { share: first });
  const queue = new JobQueue(first);
  // Two "hosts", each willing to run 4 at once.
  const pools = [
    await startWorkerPool(first, { concurrency: 4 }),
    await startWorkerPool(second, { concurrency: 4 }),
  ];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await queue.close();
  });

  it("caps runs of a job type across the whole pool", async () => {
    for (let n = 0; n < 8; n++) await queue.enqueue(Exclusive, { n });
    const cookie = first.mongo.sys<CookieDocument>("cookie");
    await eventually(async () =>
      (await cookie.findOne({ _id: "t.Exclusive" }))?.done === 8 ? true : undefined,
    );
    const doc = await cookie.findOne({ _id: "t.Exclusive" });
    expect(doc?.peak).toBeLessThanOrEqual(2);
  });
});
