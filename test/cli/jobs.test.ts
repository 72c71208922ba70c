import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { runCoco } from "../support/run-coco.js";
import { testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

describe("coco job commands", async () => {
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-jobs-")),
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_REDIS_URL: testRedisUrl(),
    CORE4_OPTION_mongodb__sysDatabase: uniqueName("sys"),
    CORE4_OPTION_redis__prefix: uniqueName("q"),
    CORE4_OPTION_usage__login: `${uniqueName("usage")}/login`,
  };

  it("runs a job inline and prints its record", async () => {
    const result = await runCoco(
      ["run", "usage.AggregateLogins", "start=2026-01-01", "end=2026-01-03", "--json"],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const record = JSON.parse(result.stdout) as { state: string; name: string; sources: string[] };
    expect(record).toMatchObject({ state: "complete", name: "usage.AggregateLogins" });
    expect(record.sources).toEqual(["2026-01-01", "2026-01-02", "2026-01-03"]);
  });

  it("refuses a bad argument naming it, and an unknown job", async () => {
    const bad = await runCoco(["enqueue", "usage.AggregateLogins", "start=someday"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/argument "start"/);
    const unknown = await runCoco(["enqueue", "usage.Nope"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown job "usage\.Nope"/);
  });

  it("enqueues, shows, lists, kills and removes a job", async () => {
    const enqueued = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2026-01-01", "end=2026-01-02"],
      env,
    );
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const id = enqueued.stdout.trim();
    expect(id).toMatch(/^\S+$/);

    const duplicate = await runCoco(
      ["enqueue", "usage.AggregateLogins", "--args", '{"start":"2026-01-01","end":"2026-01-02"}'],
      env,
    );
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain(id);

    const shown = await runCoco(["job", id, "--json"], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id, name: "usage.AggregateLogins", state: "pending" });

    const listed = await runCoco(["jobs", "--state", "pending", "--json"], env);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((j) => j.id)).toContain(id);

    const killed = await runCoco(["kill", id], env);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout.trim()).toBe(`${id} killed`);
    const afterKill = await runCoco(["job", id, "--json"], env);
    expect(JSON.parse(afterKill.stdout)).toMatchObject({ id, state: "killed" });

    const other = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2026-02-01", "end=2026-02-02"],
      env,
    );
    const otherId = other.stdout.trim();
    const removed = await runCoco(["remove", otherId], env);
    expect(removed.code, removed.stderr).toBe(0);
    const gone = await runCoco(["jobs", "--json"], env);
    expect((JSON.parse(gone.stdout) as { id: string }[]).map((j) => j.id)).not.toContain(otherId);
  });

  it("rejects an unknown state filter", async () => {
    const result = await runCoco(["jobs", "--state", "sleeping"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown state "sleeping"/);
  });
});
