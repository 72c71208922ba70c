import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { COCO, type CocoResult, ROOT, runCoco } from "../support/run-coco.js";
import { testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

// Each test spawns coco processes (a few seconds each, up to a minute on a loaded machine).
vi.setConfig({ testTimeout: 600_000 });
const COCO_TIMEOUT = 180_000;

/** Runs coco with `input` on stdin. */
function runCocoWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CocoResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...COCO, ...args], {
      cwd: ROOT,
      env: { ...process.env, CORE4_PORT: "0", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", reject);
    const timer = setTimeout(() => child.kill("SIGKILL"), COCO_TIMEOUT);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

describe("coco flow control: enqueue --each and options, bulk redrive, schedules", async () => {
  const dir = mkdtempSync(join(tmpdir(), "core4ts-flow-"));
  const shared = {
    CORE4_HOME: dir,
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_REDIS_URL: testRedisUrl(),
    CORE4_OPTION_mongodb__sysDatabase: uniqueName("sys"),
    CORE4_OPTION_redis__prefix: uniqueName("q"),
    CORE4_OPTION_usage__login: `${uniqueName("usage")}/login`,
  };
  /** Each test its own queue prefix, so that it sees only its own jobs. */
  let env: Record<string, string> = shared;
  beforeEach(() => {
    env = { ...shared, CORE4_OPTION_redis__prefix: uniqueName("q") };
  });
  const job = "usage.AggregateLogins";
  const pending = async () => {
    const listed = await runCoco(["jobs", "--name", job, "--state", "pending", "--json"], env, COCO_TIMEOUT);
    expect(listed.code, listed.stderr).toBe(0);
    return JSON.parse(listed.stdout) as { id: string; args: Record<string, unknown> }[];
  };

  it("--each names a bad line and enqueues nothing; --partial enqueues the good ones", async () => {
    const file = join(dir, "days.jsonl");
    writeFileSync(
      file,
      [
        '{"start": "2026-01-01", "end": "2026-01-01"}',
        "",
        '{"start": "2026-01-02", "end": "2026-01-02"}',
        "{oops",
        '{"start": "someday"}',
      ].join("\n"),
    );
    const refused = await runCoco(["enqueue", job, "--each", file], env, COCO_TIMEOUT);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--each line 4: not JSON");
    expect(refused.stderr).toMatch(/--each line 5: invalid argument "start"/);
    expect(refused.stderr).toMatch(/2 bad line\(s\), the first is line 4; nothing was enqueued/);
    expect(await pending()).toEqual([]);

    const partial = await runCoco(["enqueue", job, "--each", file, "--partial"], env, COCO_TIMEOUT);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout.trim().split("\n")).toHaveLength(2);
    expect(partial.stderr).toContain("enqueued 2 of 4 lines (0 refused, 2 bad)");
    expect((await pending()).map((r) => String(r.args.start).slice(0, 10)).sort()).toEqual([
      "2026-01-01",
      "2026-01-02",
    ]);
  });

  it("--each - reads a JSON array from stdin and refuses duplicates per item", async () => {
    const items = [
      { start: "2026-02-01", end: "2026-02-01" },
      { start: "2026-02-01", end: "2026-02-01" },
      { start: "2026-02-02", end: "2026-02-02" },
    ];
    const result = await runCocoWithInput(
      ["enqueue", job, "--each", "-", "--json"],
      env,
      JSON.stringify(items),
    );
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(result.stdout) as { item: number; id?: string; refused?: string }[];
    expect(results.map((r) => r.item)).toEqual([1, 2, 3]);
    expect(results[1]).toMatchObject({ refused: "duplicate" });
    expect(results.filter((r) => r.id)).toHaveLength(2);
    expect(result.stderr).toContain("enqueued 2 of 3 items (1 refused, 0 bad)");
  });

  it("enqueues with --delay, --priority and --attempts, and shows the next try", async () => {
    const enqueued = await runCoco(
      [
        "enqueue",
        job,
        "start=2026-03-01",
        "end=2026-03-01",
        "--delay",
        "10m",
        "--priority",
        "3",
        "--attempts",
        "4",
      ],
      env,
      COCO_TIMEOUT,
    );
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const id = enqueued.stdout.trim();
    const shown = await runCoco(["job", id], env, COCO_TIMEOUT);
    expect(shown.stdout).toMatch(/attempts: +0 made, 4 left/);
    expect(shown.stdout).toMatch(/next try: +\d{4}-\d\d-\d\dT/);
    const bad = await runCoco(["enqueue", job, "start=2026-03-02", "--delay", "soon"], env, COCO_TIMEOUT);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--delay must be seconds or a duration like 30s, 10m/);
    const at = await runCoco(["enqueue", job, "start=2026-03-02", "--at", "2026-13-45"], env, COCO_TIMEOUT);
    expect(at.code).toBe(1);
    expect(at.stderr).toMatch(/--at must be an ISO date-time/);
  });

  it("removes and restarts by name and state, printing how many", async () => {
    const days = ["2026-04-01", "2026-04-02"]
      .map((day) => JSON.stringify({ start: day, end: day }))
      .join("\n");
    const enqueued = await runCocoWithInput(["enqueue", job, "--each", "-"], env, days);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const removed = await runCoco(["remove", "--name", job, "--state", "pending"], env, COCO_TIMEOUT);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout.trim()).toBe(`removed 2 of 2 ${job} jobs in pending`);
    const none = await runCoco(["restart", "--name", job, "--state", "error", "--json"], env, COCO_TIMEOUT);
    expect(JSON.parse(none.stdout)).toEqual({ matched: 0, done: 0, refused: [] });
    const half = await runCoco(["restart", "--name", job], env, COCO_TIMEOUT);
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/needs both --name and --state/);
  });

  it("lists the schedules with pattern, time zone, next three runs, last run and policy", async () => {
    const listed = await runCoco(["schedules"], env, COCO_TIMEOUT);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(job);
    expect(listed.stdout).toMatch(/pattern: +30 1 \* \* \* \(UTC\)/);
    expect(listed.stdout).toMatch(/next: +\S+T01:30:00Z, \S+T01:30:00Z, \S+T01:30:00Z/);
    expect(listed.stdout).toMatch(/policy: +catchup one within 86400 s, overlap skip/);
    const json = await runCoco(["schedules", "--json"], env, COCO_TIMEOUT);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({
      jobName: job,
      last: null,
      policy: { overlap: "skip" },
    });
  });
});
