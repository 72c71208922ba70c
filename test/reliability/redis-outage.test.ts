import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JobQueue } from "../../framework/queue/index.js";
import { createTestRuntime, eventually as eventuallyWithin, sleep } from "../job/support.js";
import { startRedisServer } from "../support/service-processes.js";
import { testMongoUri } from "../support/services.js";
import { Checkpointed, reliabilityPlugin } from "./checkpoint-job.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

const OUTAGE_MS = 15_000;

describe("a 15 s Redis outage", async () => {
  const dir = mkdtempSync(join(tmpdir(), "core4ts-outage-redis-"));
  let redis = await startRedisServer({ dir });
  const port = Number(new URL(redis.url).port);
  const runtime = await createTestRuntime([reliabilityPlugin], { redisUrl: redis.url });
  const queue = new JobQueue(runtime);
  let worker: ChildProcess | undefined;
  let stderr = "";
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      worker.kill("SIGKILL");
      await once(worker, "exit");
    }
    await queue.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is logged once by each worker, with a count when it ends, and never as raw stderr", {
    timeout: 90_000,
  }, async () => {
    worker = spawn(
      process.execPath,
      ["--conditions=core4ts-source", "--import", "tsx", "test/reliability/worker-process.ts"],
      {
        env: {
          ...process.env,
          TEST_MONGODB_URI: await testMongoUri(),
          TEST_SYS_DATABASE: runtime.mongo.sysDatabase,
          TEST_REDIS_URL: redis.url,
          TEST_PREFIX: runtime.prefix,
          TEST_LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    worker.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [ready] = (await once(worker.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
    expect(ready.toString()).toContain("ready");
    const pid = worker.pid as number;

    process.kill(redis.pid as number, "SIGKILL");
    await sleep(OUTAGE_MS);
    redis = await startRedisServer({ port, dir });

    // The worker reconnected by itself: a job enqueued now completes.
    const { id } = await queue.enqueue(Checkpointed);
    await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined), 200);
    const log = runtime.mongo.sys<{ pid: number; levelno: number; message: string }>("log");
    const end = await eventually(
      () => log.findOne({ pid, message: "Redis reachable again" }).then((r) => r ?? undefined),
      200,
    );
    expect((end as unknown as { errors: number }).errors).toBeGreaterThan(1);
    const errors = await log.countDocuments({ pid, levelno: { $gte: 40 } });
    expect(errors).toBeGreaterThan(0);
    expect(errors).toBeLessThan(10);

    worker.kill("SIGTERM");
    await once(worker, "exit");
    const lines = stderr.split("\n").filter((line) => line.trim() !== "");
    const raw = lines.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    expect(raw).toEqual([]);
  });
});
