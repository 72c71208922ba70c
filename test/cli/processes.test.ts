import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCoco, startCoco } from "../support/run-coco.js";
import { testMongoClient, testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

vi.setConfig({ testTimeout: 180_000 });

/** Resolves with the first match of `pattern` in the process's stderr. */
function waitForStderr(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = "";
    child.stderr.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const match = pattern.exec(text);
      if (match) resolve(match);
    });
    child.once("exit", (code) =>
      reject(new Error(`exited with ${code} before ${pattern}: ${text.slice(-2000)}`)),
    );
  });
}

async function stop(child: ChildProcessWithoutNullStreams, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

describe("coco serve and coco worker", async () => {
  const client = await testMongoClient();
  const sysDatabase = uniqueName("procs");
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-procs-")),
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_REDIS_URL: testRedisUrl(),
    CORE4_OPTION_mongodb__sysDatabase: sysDatabase,
    CORE4_OPTION_redis__prefix: uniqueName("q"),
    CORE4_OPTION_usage__login: `${sysDatabase}_usage/login`,
    CORE4_OPTION_log__level: "info",
  };
  afterAll(async () => {
    await client.db(sysDatabase).dropDatabase();
    await client.db(`${sysDatabase}_usage`).dropDatabase();
  });

  it("serve answers health and exits 0 on SIGTERM", async () => {
    const serve = startCoco(["serve"], env);
    try {
      const [, url] = await waitForStderr(serve, /coco serve: listening on (http:\/\/[\d.:]+)/);
      const health = await fetch(`${url}/core4/api/v1/health`);
      expect(health.status).toBe(200);
      expect(((await health.json()) as { data: unknown }).data).toEqual({ mongodb: true, redis: true });
    } finally {
      expect(await stop(serve, "SIGTERM")).toBe(0);
    }
  });

  it("a worker completes an enqueued job, which coco job then shows, and exits 0 on SIGINT", async () => {
    const enqueued = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2026-05-01", "end=2026-05-03"],
      env,
    );
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const id = enqueued.stdout.trim();
    const worker = startCoco(["worker", "--concurrency", "2"], env);
    try {
      await expect
        .poll(
          async () => {
            const shown = await runCoco(["job", id, "--json"], env);
            return (JSON.parse(shown.stdout) as { state: string }).state;
          },
          { timeout: 120_000, interval: 1_000 },
        )
        .toBe("complete");
      // The journal is written in batches (every 250 ms): wait for the run's entry.
      const journal = client.db(sysDatabase).collection("sys.journal");
      await expect.poll(() => journal.findOne({ job_id: id }), { timeout: 10_000 }).toBeTruthy();
      expect(await journal.findOne({ job_id: id })).toMatchObject({
        state: "complete",
        sources: ["2026-05-01", "2026-05-02", "2026-05-03"],
      });
    } finally {
      expect(await stop(worker, "SIGINT")).toBe(0);
    }
  });

  it("refuses a bad --concurrency as a usage error naming the flag", async () => {
    const result = await runCoco(["worker", "--concurrency", "zero"], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--concurrency must be a whole number.*\nusage: coco worker \[options\]\n$/,
    );
  });
});
