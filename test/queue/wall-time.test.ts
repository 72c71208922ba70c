import { afterAll, describe, expect, it } from "vitest";
import type { CookieDocument } from "../../framework/job/index.js";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import { createTestRuntime, eventually, sleep } from "../job/support.js";

class Sleeper extends CoreJob {
  static override readonly jobName = "t.Sleeper";
  static override readonly wallTime = 0.3;
  override async execute(): Promise<void> {
    await this.cookie.set("signalled", false);
    try {
      await sleep(20_000, this.signal);
    } finally {
      await this.cookie.set("signalled", this.signal.aborted);
    }
  }
}

describe("wall time", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Sleeper] })]);
  const queue = new JobQueue(runtime);
  const pool = await startWorkerPool(runtime);
  afterAll(async () => {
    await pool.close();
    await queue.close();
  });

  it("aborts a run that exceeds its wall time; the run fails and uses an attempt", async () => {
    const { id } = await queue.enqueue(Sleeper);
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "error" ? r : undefined;
    });
    expect(record.error).toMatch(/exceeded its wall time of 0.3 s/);
    expect(record.attempts).toBe(1);
    const signalled = await eventually(async () =>
      (await runtime.mongo.sys<CookieDocument>("cookie").findOne({ _id: "t.Sleeper" }))?.signalled === true
        ? true
        : undefined,
    );
    expect(signalled).toBe(true);
  });
});
