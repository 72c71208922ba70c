import { afterAll, describe, expect, it } from "vitest";
import type { CookieDocument } from "../../framework/job/index.js";
import { CoreJob, JobExistsError, JobStateError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually, sleep } from "../job/support.js";

class LongLoop extends CoreJob {
  static override readonly jobName = "t.LongLoop";
  static override readonly progressInterval = 0.1;
  override async execute(): Promise<void> {
    for (let step = 1; step <= 600; step++) {
      await this.cookie.set("step", step);
      await this.progress(step / 600, "step %d", step);
      await sleep(50);
    }
  }
}

class NeverRuns extends CoreJob {
  static override readonly jobName = "t.NeverRuns";
  override execute(): void {}
}

describe("kill", async () => {
  const plugins = [definePlugin({ name: "t", jobs: [LongLoop, NeverRuns] })];
  const workerRuntime = await createTestRuntime(plugins);
  // Another process: its own connections and MongoDB clients, the same Redis prefix and sys database.
  const operatorRuntime = await createTestRuntime(plugins, { share: workerRuntime });
  const pool = await startWorkerPool(workerRuntime, { jobs: ["t.LongLoop"] });
  const operator = new JobQueue(operatorRuntime);
  afterAll(async () => {
    await pool.close();
    await operator.close();
  });

  it("stops a job running in another process; it ends killed and is not retried", async () => {
    const { id } = await operator.enqueue(LongLoop, {}, { attempts: 3 });
    await eventually(async () => ((await operator.get(id)).progress.value > 0 ? true : undefined));
    await operator.kill(id);
    const killed = await eventually(async () => {
      const r = await operator.get(id);
      return r.state === "killed" ? r : undefined;
    });
    const cookies = workerRuntime.mongo.sys<CookieDocument>("cookie");
    await sleep(200);
    const stepAtKill = (await cookies.findOne({ _id: "t.LongLoop" }))?.step as number;
    // The loop saw its signal at its next progress report: no step after that one.
    await sleep(300);
    expect((await cookies.findOne({ _id: "t.LongLoop" }))?.step).toBe(stepAtKill);
    expect(killed.error).toMatch(/killed/);
    expect(killed.progress.value).toBeLessThan(1);
    const entry = await eventually(() =>
      workerRuntime.mongo
        .sys<JournalEntry>("journal")
        .findOne({ job_id: id, state: "killed" })
        .then((e) => e ?? undefined),
    );
    expect(entry.name).toBe("t.LongLoop");
    await sleep(200);
    expect((await operator.get(id)).state).toBe("killed");
    await expect(operator.kill(id)).rejects.toThrow(JobStateError);
  });

  it("kills a waiting job without a worker and restarts it with the same id", async () => {
    const { id } = await operator.enqueue(NeverRuns);
    const killed = await operator.kill(id);
    expect(killed.state).toBe("killed");
    expect((await operator.get(id)).state).toBe("killed");
    const restarted = await operator.restart(id);
    expect(restarted).toMatchObject({ id, state: "pending" });
    // The restarted job counts for the duplicate rule again.
    await expect(operator.enqueue(NeverRuns)).rejects.toThrow(JobExistsError);
    // Killed again while waiting (now from Redis) and restarted in place.
    expect((await operator.kill(id)).state).toBe("killed");
    expect(await operator.restart(id)).toMatchObject({ id, state: "pending" });
    expect((await operator.list({ state: "pending", name: "t.NeverRuns" })).map((r) => r.id)).toEqual([id]);
  });
});
