import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import type { CookieDocument } from "../../framework/job/index.js";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime, eventually } from "../job/support.js";
import { Checkpointed, reliabilityPlugin } from "../reliability/checkpoint-job.js";

interface LogDoc {
  level: string;
  message: string;
  identifier: string | null;
}

import { workerProcesses } from "../support/worker-processes.js";

describe("per-run records when a worker dies (kill -9)", async () => {
  const runtime = await createTestRuntime([reliabilityPlugin]);
  const queue = new JobQueue(runtime);
  // Locks of 4 s (renewed every 2 s): a loaded machine must not stall a live worker long enough for its lock
  // to lapse, which would start the job a third time; the takeover after the kill still comes within ~5 s.
  const workers = workerProcesses(runtime, "test/reliability/worker-process.ts", {
    TEST_LOCK_DURATION: "4000",
    TEST_STALLED_INTERVAL: "1000",
  });
  const startWorker = () => workers.start();

  afterAll(async () => {
    await workers.stopAll();
    await queue.close();
  });

  it("the worker taking over logs a warning with the job id, then start and complete", {
    timeout: 90_000,
  }, async () => {
    const first = await startWorker();
    const { id } = await queue.enqueue(Checkpointed);
    const cookies = runtime.mongo.sys<CookieDocument>("cookie");
    await eventually(async () => {
      const step = (await cookies.findOne({ _id: "reliability.Checkpointed" }))?.step as number | undefined;
      return step !== undefined && step >= 3 ? step : undefined;
    });
    // The dead worker's start record must have reached sys.log (its log sink batches writes) before the kill.
    const log = runtime.mongo.sys<LogDoc>("log");
    await eventually(async () =>
      (await log.countDocuments({ identifier: id, message: /started \(attempt/ })) > 0 ? true : undefined,
    );
    first.kill("SIGKILL");
    await once(first, "exit");
    await startWorker();
    await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined), 200);
    const records = await eventually(async () => {
      const found = await log.find({ identifier: id }, { sort: { created: 1 } }).toArray();
      return found.some((r) => /complete in/.test(r.message)) ? found : undefined;
    }, 200);
    const takeover = records.find((r) => /taken over: its previous worker died/.test(r.message));
    expect(takeover?.level).toBe("WARNING");
    expect(records.filter((r) => /started \(attempt/.test(r.message)).length).toBe(2);
    expect(records.filter((r) => /complete in/.test(r.message)).map((r) => r.level)).toEqual(["INFO"]);
    expect(records.findIndex((r) => /taken over/.test(r.message))).toBeLessThan(
      records.findIndex((r) => /complete in/.test(r.message)),
    );
  });
});
