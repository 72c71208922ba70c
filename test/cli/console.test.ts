import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { JobQueue, Runtime, startWorkerPool } from "../../framework/index.js";
import usage from "../../plugins/usage/index.js";
import { eventually, sleep } from "../job/support.js";
import { runCoco } from "../support/run-coco.js";
import { testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

// Each step spawns a coco process (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const JOB = "usage.AggregateLogins";

describe("coco pause, resume, types and logs", async () => {
  const uri = await testMongoUri();
  const sysDatabase = uniqueName("sys");
  const prefix = uniqueName("q");
  const login = `${uniqueName("usage")}/login`;
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-console-cli-")),
    CORE4_MONGODB_URI: uri,
    CORE4_REDIS_URL: testRedisUrl(),
    CORE4_OPTION_mongodb__sysDatabase: sysDatabase,
    CORE4_OPTION_redis__prefix: prefix,
    CORE4_OPTION_usage__login: login,
  };
  // The worker pool of another process on the same Redis prefix and sys database.
  const runtime = await Runtime.start({
    plugins: [usage],
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase },
      redis: { url: testRedisUrl(), prefix },
      log: { level: "silent" },
      usage: { login },
    },
  });
  const pool = await startWorkerPool(runtime, { journalRecoveryInterval: 0 });
  const queue = new JobQueue(runtime);
  afterAll(async () => {
    await pool.close();
    await queue.close();
    await runtime.close();
  });

  it("pauses a type on every worker, shows it in coco types, and resumes it; coco logs prints the run", async () => {
    const paused = await runCoco(["pause", JOB], env);
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout.trim()).toBe(`${JOB} paused`);

    const today = new Date().toISOString().slice(0, 10);
    const { id } = await queue.enqueue(JOB, { start: today });
    await sleep(1_500);
    expect((await queue.get(id)).state).toBe("pending");
    const types = await runCoco(["types"], env);
    expect(types.code, types.stderr).toBe(0);
    const [header, row] = types.stdout.trim().split("\n");
    expect(header).toMatch(/^NAME\s+PAUSED\s+PENDING\s+RUNNING/);
    expect(row).toMatch(new RegExp(`^${JOB.replace(".", "\\.")}\\s+yes\\s+1\\s+0\\s`));
    expect(row).toContain("30 1 * * * UTC");

    const resumed = await runCoco(["resume", JOB, "--json"], env);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ name: JOB, paused: false });
    await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined));
    await runtime.logger.flush();

    const logs = await runCoco(["logs", id], env);
    expect(logs.code, logs.stderr).toBe(0);
    const lines = logs.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\S+Z INFO\s+job usage\.AggregateLogins \S+ started/);
    expect(lines.at(-1)).toMatch(/INFO\s+job usage\.AggregateLogins \S+ complete in \d/);

    const followed = await runCoco(["logs", id, "--follow", "--json"], env);
    expect(followed.code, followed.stderr).toBe(0);
    const records = followed.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { identifier: string; level: string });
    expect(records.length).toBe(lines.length);
    expect(records.every((r) => r.identifier === id)).toBe(true);

    const unknown = await runCoco(["logs", "0123456789abcdef01234567"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no job with id/);
  });
});
