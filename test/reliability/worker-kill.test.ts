import { once } from "node:events";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatJobList } from "../../bin/cli/format-jobs.js";
import type { CookieDocument } from "../../framework/job/index.js";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime, eventually as eventuallyWithin } from "../job/support.js";
import { Checkpointed, reliabilityPlugin, STEPS } from "./checkpoint-job.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

import { workerProcesses } from "../support/worker-processes.js";

describe("worker killed with -9", async () => {
  const runtime = await createTestRuntime([reliabilityPlugin]);
  const queue = new JobQueue(runtime);
  const workers = workerProcesses(runtime, "test/reliability/worker-process.ts");
  const startWorker = () => workers.start();

  // Tests run in any order: each starts from a job that has never run (no checkpoint, no steps).
  beforeEach(async () => {
    await runtime.mongo.sys<CookieDocument>("cookie").deleteOne({ _id: "reliability.Checkpointed" });
    await runtime.mongo.collection("reliability/steps").deleteMany({});
  });

  // ... and with no worker left over from another test to take its job.
  afterEach(() => workers.stopAll());

  afterAll(async () => {
    await queue.close();
  });

  it("loses no job: another worker completes it, resuming from the cookie checkpoint", {
    timeout: 60_000,
  }, async () => {
    const first = await startWorker();
    const { id } = await queue.enqueue(Checkpointed);
    const cookies = runtime.mongo.sys<CookieDocument>("cookie");
    await eventually(async () => {
      const step = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step as number | undefined;
      return step !== undefined && step >= 5 ? step : undefined;
    });
    first.kill("SIGKILL");
    await once(first, "exit");
    const killedAt = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step as number;
    // Once its lock is gone, nothing runs it: it shows as pending with its worker lost, not as running.
    const lost = await eventually(async () => {
      const record = await queue.get(id);
      return record.workerLost ? record : undefined;
    }, 100);
    expect(lost).toMatchObject({ state: "pending", error: expect.stringMatching(/worker lost/) });
    expect(formatJobList([lost])).toContain("worker lost");

    const second = await startWorker();
    const done = await eventually(async () => {
      const record = await queue.get(id);
      return record.state === "complete" ? record : undefined;
    }, 100);
    expect(done.sources).toEqual([`pid-${second.pid}`]);
    const steps = await runtime.mongo.collection("reliability/steps").find({}).sort({ step: 1 }).toArray();
    const bySecond = steps.filter((s) => s.pid === second.pid);
    // The rerun resumed after the checkpoint instead of starting over at step 1.
    expect(bySecond[0]?.resumedFrom).toBe(killedAt);
    expect(bySecond[0]?.step).toBe(killedAt + 1);
    expect(new Set(steps.map((s) => s.step)).size).toBe(STEPS);
    second.kill("SIGTERM");
    await once(second, "exit");
  });

  it("keeps a kill that reached no worker: the recovered job ends killed instead of running", {
    timeout: 60_000,
  }, async () => {
    const cookies = runtime.mongo.sys<CookieDocument>("cookie");
    const first = await startWorker();
    const { id } = await queue.enqueue(Checkpointed);
    await eventually(async () => {
      const step = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step;
      return step !== undefined && step >= 3 ? step : undefined;
    });
    first.kill("SIGKILL");
    await once(first, "exit");
    const killedAt = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step;
    // Running while its lock lasts; with the lock gone, taken out of the queue at once.
    expect(["running", "killed"]).toContain((await queue.kill(id)).state);

    const second = await startWorker();
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "killed" ? r : undefined;
    }, 100);
    expect(record.error).toMatch(/killed/);
    expect(await runtime.mongo.collection("reliability/steps").countDocuments({ pid: second.pid })).toBe(0);
    expect((await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step).toBe(killedAt);
  });

  it("runs a killed and restarted job to completion, also when its worker is then killed with -9", {
    timeout: 60_000,
  }, async () => {
    const cookies = runtime.mongo.sys<CookieDocument>("cookie");
    const first = await startWorker();
    const { id } = await queue.enqueue(Checkpointed);
    await eventually(async () => ((await queue.get(id)).progress.value > 0 ? true : undefined));
    await queue.kill(id);
    await eventually(async () => ((await queue.get(id)).state === "killed" ? true : undefined), 100);
    await queue.restart(id);
    const stepBefore = ((await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step as number) ?? 0;
    await eventually(async () => {
      const step = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step as number | undefined;
      return step !== undefined && step >= stepBefore + 2 ? step : undefined;
    });
    first.kill("SIGKILL");
    await once(first, "exit");

    const second = await startWorker();
    const record = await eventually(async () => {
      const r = await queue.get(id);
      return r.state === "complete" || r.state === "killed" ? r : undefined;
    }, 100);
    expect(record.state).toBe("complete");
    const steps = await runtime.mongo.collection("reliability/steps").find({}).toArray();
    expect(new Set(steps.map((s) => s.step)).size).toBe(STEPS);
    second.kill("SIGTERM");
    await once(second, "exit");
  });
});
