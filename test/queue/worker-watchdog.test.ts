import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { type WatchedWorker, WorkerWatchdog } from "../../framework/queue/worker-watchdog.js";
import { createTestRuntime, eventually } from "../job/support.js";
import { uniqueName } from "../support/services.js";

describe("worker watchdog", async () => {
  const runtime = await createTestRuntime([]);
  const connection = new Redis(runtime.redisUrl as string, { maxRetriesPerRequest: null });
  const opened: { close(): Promise<unknown> }[] = [];
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
    connection.disconnect();
  });

  /** A real queue with `waiting` jobs, watched as the queue of an idle worker whose restarts are counted. */
  async function watched(waiting: number): Promise<WatchedWorker & { restarts: number; busy: number }> {
    const queue = new Queue(uniqueName("wd"), { connection, prefix: runtime.prefix });
    opened.push(queue);
    for (let n = 0; n < waiting; n++) await queue.add("job", { n });
    const worker = {
      jobName: queue.name,
      queue,
      restarts: 0,
      busy: 0,
      active: () => worker.busy,
      restart: async () => {
        worker.restarts++;
      },
    };
    return worker;
  }

  it("restarts an idle worker when the same job is still first in line at the next look", async () => {
    const worker = await watched(2);
    const watchdog = new WorkerWatchdog(() => [worker], runtime.logger);
    expect(await watchdog.check()).toEqual([]);
    expect(await watchdog.check()).toEqual([worker.jobName]);
    expect(worker.restarts).toBe(1);
    // A restart starts the count anew: one more look is needed before the next one.
    expect(await watchdog.check()).toEqual([]);
  });

  it("leaves a worker alone while it takes jobs, is busy, or has nothing to take", async () => {
    const moving = await watched(3);
    const busy = await watched(1);
    const empty = await watched(0);
    busy.busy = 1;
    const watchdog = new WorkerWatchdog(() => [moving, busy, empty], runtime.logger);
    await watchdog.check();
    // Between the looks the first job was taken: another one is first in line now.
    const first = await moving.queue.getJobs(["wait"], 0, 0, true);
    await first[0]?.remove();
    expect(await watchdog.check()).toEqual([]);
    expect([moving.restarts, busy.restarts, empty.restarts]).toEqual([0, 0, 0]);
  });

  it("does not count jobs that may not be taken now: queue paused, or at its global cap", async () => {
    const paused = await watched(1);
    await paused.queue.pause();
    const capped = await watched(2);
    await capped.queue.setGlobalConcurrency(1);
    // Another process runs one job of the capped type and holds it.
    let release = (): void => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const other = new Worker(capped.queue.name, () => held, {
      connection: connection.duplicate(),
      prefix: runtime.prefix,
    });
    opened.push({ close: () => other.close(true) });
    await eventually(async () => ((await capped.queue.getActiveCount()) === 1 ? true : undefined));
    const watchdog = new WorkerWatchdog(() => [paused, capped], runtime.logger);
    await watchdog.check();
    expect(await watchdog.check()).toEqual([]);
    release();
  });

  it("looks on its own at the interval, and stops", async () => {
    const worker = await watched(1);
    const watchdog = new WorkerWatchdog(() => [worker], runtime.logger);
    watchdog.start(50);
    await eventually(() => (worker.restarts > 0 ? true : undefined));
    await watchdog.stop();
    const restarts = worker.restarts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(worker.restarts).toBe(restarts);
  });
});
