import { afterAll, describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { createTestRuntime, eventually as eventuallyWithin } from "../job/support.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

class Counted extends CoreJob {
  static override readonly jobName = "kr.Counted";
  override async execute(): Promise<void> {
    this.setSource("counted");
    await this.collection("kr/effects").insertOne({ job: this.id });
  }
}

describe("kill, then restart", async () => {
  const plugins = [definePlugin({ name: "kr", jobs: [Counted] })];
  const workerRuntime = await createTestRuntime(plugins);
  const operatorRuntime = await createTestRuntime(plugins, { share: workerRuntime });
  const pool = await startWorkerPool(workerRuntime);
  const operator = new JobQueue(operatorRuntime);
  afterAll(async () => {
    await pool.close();
    await operator.close();
  });

  it("runs the restarted job to completion: the kill was for the earlier run only", async () => {
    // Pending (delayed) while killed: the kill's broadcast reaches a worker that does not run it.
    const { id } = await operator.enqueue(Counted, {}, { delay: 3600 });
    expect((await operator.kill(id)).state).toBe("killed");
    expect(await operator.restart(id)).toMatchObject({ id, state: "pending" });
    const done = await eventually(async () => {
      const record = await operator.get(id);
      return record.state === "complete" || record.state === "killed" ? record : undefined;
    });
    expect(done.state).toBe("complete");
    expect(await workerRuntime.mongo.collection("kr/effects").countDocuments({ job: id })).toBe(1);
    // One journal entry per run: the kill of the first, the completion of the second.
    const states = await eventually(async () => {
      const entries = await workerRuntime.mongo.sys<JournalEntry>("journal").find({ job_id: id }).toArray();
      return entries.length >= 2 ? entries.map((e) => e.state).sort() : undefined;
    });
    expect(states).toEqual(["complete", "killed"]);
  });
});
