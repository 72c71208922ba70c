import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { formatJobDetail } from "../../bin/cli/format-jobs.js";
import { JobQueue, type JobRecord, Runtime } from "../../framework/index.js";
import usage from "../../plugins/usage/index.js";
import { cocoShellCommand, ROOT, runCoco } from "../support/run-coco.js";
import { testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

const JOBS = 300;

describe("the coco command line", async () => {
  const env = {
    CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-contract-")),
    CORE4_MONGODB_URI: await testMongoUri(),
    CORE4_REDIS_URL: testRedisUrl(),
    CORE4_OPTION_mongodb__sysDatabase: uniqueName("sys"),
    CORE4_OPTION_redis__prefix: uniqueName("q"),
    CORE4_OPTION_usage__login: `${uniqueName("usage")}/login`,
  };
  let runtime: Runtime;
  let first: JobRecord;

  beforeAll(async () => {
    runtime = await Runtime.start({ plugins: [usage], env: { ...process.env, ...env }, name: "test" });
    const queue = new JobQueue(runtime);
    // Enough jobs for `jobs --json` to pass a pipe's 64 KiB several times.
    for (let i = 0; i < JOBS; i++) {
      const day = new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10);
      const record = await queue.enqueue("usage.AggregateLogins", { start: day, end: day });
      first ??= record;
    }
    await queue.close();
  });

  afterAll(async () => {
    await runtime?.close();
  });

  it("prints its version", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const result = await runCoco(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it("exits 2 with the usage line on an unknown flag, subcommand, value choice or a missing argument", async () => {
    const flag = await runCoco(["jobs", "--bogus"], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("error: unknown option '--bogus'\nusage: coco jobs [options]\n");
    const command = await runCoco(["frobnicate"], env);
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'frobnicate'/);
    const missing = await runCoco(["job"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument 'id'\nusage: coco job \[options\] <id>/);
    const action = await runCoco(["services", "start"], env);
    expect(action.code).toBe(2);
    expect(action.stderr).toMatch(/usage: coco services/);
    const json = await runCoco(["jobs", "--bogus", "--json"], env);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({
      error: "unknown option '--bogus'",
      code: "usage",
      usage: "usage: coco jobs [options]",
    });
  });

  it("gives errors of --json commands as JSON with a stable code, exit 1", async () => {
    const duplicate = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2020-01-01", "end=2020-01-01", "--json"],
      env,
    );
    expect(duplicate.code).toBe(1);
    expect(JSON.parse(duplicate.stderr)).toMatchObject({ code: "duplicate", id: first.id });
    const plain = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2020-01-01", "end=2020-01-01"],
      env,
    );
    expect(plain.code).toBe(1);
    expect(plain.stderr).toBe(
      `coco: job usage.AggregateLogins with these arguments is already queued as ${first.id}\n`,
    );
    const notFound = await runCoco(["job", "nosuchid", "--json"], env);
    expect(notFound.code).toBe(1);
    expect(JSON.parse(notFound.stderr)).toMatchObject({ code: "not_found" });
    const twice = await runCoco(
      ["enqueue", "usage.AggregateLogins", "start=2020-01-01", "start=2020-01-02", "--json"],
      env,
    );
    expect(twice.code).toBe(1);
    expect(JSON.parse(twice.stderr)).toEqual({
      error: 'argument "start" is given twice',
      code: "bad_argument",
    });
  });

  it("lists at most --limit jobs and says so when --name names no job type", async () => {
    const limited = await runCoco(["jobs", "--limit", "5", "--json"], env);
    expect(limited.code, limited.stderr).toBe(0);
    expect(JSON.parse(limited.stdout)).toHaveLength(5);
    const bad = await runCoco(["jobs", "--limit", "none"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--limit must be a whole number/);
    const nosuch = await runCoco(["jobs", "--name", "nosuch.Job"], env);
    expect(nosuch.code).toBe(1);
    expect(nosuch.stderr).toMatch(/^coco: unknown job "nosuch\.Job" \(registered: usage\.AggregateLogins\)/);
  });

  it("completes its output when stdout is read slowly through a pipe", async () => {
    // A shell pipe (64 KiB), read only after two seconds: exiting before stdout drained cut it there.
    const child = spawn("sh", ["-c", `${cocoShellCommand(["jobs", "--json"])} | (sleep 2; cat)`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    const [code] = (await once(child, "close")) as [number | null];
    expect(code).toBe(0);
    const text = Buffer.concat(chunks).toString();
    expect(text.length).toBeGreaterThan(65_536);
    expect(JSON.parse(text)).toHaveLength(JOBS);
  });
});

describe("coco serve under a shell that goes away", async () => {
  it("shuts down and frees its port (what SIGTERM to npx does to the shell in between)", async () => {
    const env = {
      CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-orphan-")),
      CORE4_MONGODB_URI: "embedded:memory",
      CORE4_REDIS_URL: testRedisUrl(),
      CORE4_OPTION_redis__prefix: uniqueName("q"),
      CORE4_PORT: "0",
    };
    // "; true" keeps sh from exec-ing node: node is sh's child, as under npx.
    const shell = spawn("sh", ["-c", `${cocoShellCommand(["serve"])}; true`], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    shell.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const url = await vi.waitFor(
      () => {
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (!match) throw new Error("not listening yet");
        return match[1] as string;
      },
      { timeout: 120_000, interval: 200 },
    );
    expect((await fetch(`${url}/core4/api/v1/health`)).status).toBe(200);
    const closed = once(shell.stderr, "close"); // node holds the pipe until it exits
    shell.kill("SIGKILL");
    await closed;
    await expect(fetch(`${url}/core4/api/v1/health`)).rejects.toThrow();
  });
});

describe("coco job", () => {
  it("folds a long list of sources", () => {
    const sources = Array.from({ length: 335 }, (_, i) =>
      new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
    );
    const text = formatJobDetail({
      id: "x",
      name: "t.Job",
      args: {},
      state: "complete",
      progress: { value: 1, message: null },
      attempts: 1,
      attemptsLeft: 0,
      enqueued: new Date(),
      started: null,
      finished: null,
      runtime: null,
      sources,
      error: null,
    });
    const lines = text.split("\n");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(lines.filter((l) => l.startsWith(" ".repeat(10))).length).toBeGreaterThan(30);
    expect(text.replace(/\s+/g, " ")).toContain(sources.join(", "));
  });
});
