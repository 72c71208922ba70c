import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob, JobDeferredError } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JOBS_READ_PERMISSION } from "../../server/index.js";
import { eventually, sleep } from "../job/support.js";
import { type ConsoleServer, startConsoleServer } from "./support/console-server.js";

class Quick extends CoreJob {
  static override readonly jobName = "capi.Quick";
  override async execute(): Promise<void> {
    this.logger.info("doing the quick thing");
  }
}

const flakyArgs = z.object({ n: z.number().default(0) });

class Flaky extends CoreJob.withArgs(flakyArgs) {
  static override readonly jobName = "capi.Flaky";
  static override readonly attempts = 2;
  static override readonly errorTime = 0;
  override execute(): void {
    throw new Error("flaky failure");
  }
}

class Later extends CoreJob {
  static override readonly jobName = "capi.Later";
  static override readonly deferTime = 3600;
  override execute(): void {
    throw new JobDeferredError("not yet");
  }
}

const plugin = definePlugin({ name: "capi", jobs: [Quick, Flaky, Later] });

interface LogRow {
  level: string;
  message: string;
  identifier: string;
  qual_name: string;
  runtime?: number;
}

describe("console API: job types, pause/resume, job log, per-run records", async () => {
  const c: ConsoleServer = await startConsoleServer({ plugins: [plugin] });
  const json = async (path: string, init?: RequestInit) => {
    const response = await c.admin(path, init);
    return { status: response.status, body: (await response.json()) as { data: unknown; error?: string } };
  };
  const logOf = async (id: string): Promise<LogRow[]> => {
    await c.server.flushLogs();
    return (await json(`/core4/api/v1/jobs/${id}/log`)).body.data as LogRow[];
  };

  it("pauses a type pool-wide: an enqueued job stays pending until resumed, then completes", async () => {
    const paused = await json("/core4/api/v1/jobs/types/capi.Quick/pause", { method: "POST" });
    expect(paused.status).toBe(200);
    expect(paused.body.data).toMatchObject({ name: "capi.Quick", paused: true });
    const { id } = await c.queue.enqueue("capi.Quick");
    await sleep(1_500);
    expect((await c.queue.get(id)).state).toBe("pending");
    const types = (await json("/core4/api/v1/jobs/types")).body.data as { name: string; paused: boolean }[];
    expect(types.find((t) => t.name === "capi.Quick")).toMatchObject({ paused: true, pending: 1 });
    await json("/core4/api/v1/jobs/types/capi.Quick/resume", { method: "POST" });
    await eventually(async () => ((await c.queue.get(id)).state === "complete" ? true : undefined));

    const log = await logOf(id);
    expect(log.map((r) => r.identifier)).toEqual(log.map(() => id));
    const started = log.findIndex((r) => r.level === "INFO" && /started/.test(r.message));
    const own = log.findIndex((r) => r.message === "doing the quick thing");
    const complete = log.findIndex((r) => r.level === "INFO" && /complete in/.test(r.message));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(own).toBeGreaterThan(started);
    expect(complete).toBeGreaterThan(own);
    expect(typeof log[complete]?.runtime).toBe("number");
  });

  it("logs a retryable failure at warn and the last one at error; a defer at warn", async () => {
    const flaky = await c.queue.enqueue("capi.Flaky");
    await eventually(async () => ((await c.queue.get(flaky.id)).state === "error" ? true : undefined));
    await eventually(async () =>
      (await logOf(flaky.id)).some((r) => r.level === "ERROR") ? true : undefined,
    );
    const levels = (await logOf(flaky.id)).filter((r) => /failed|error/.test(r.message)).map((r) => r.level);
    expect(levels).toEqual(["WARNING", "ERROR"]);

    const later = await c.queue.enqueue("capi.Later");
    await eventually(async () => ((await c.queue.get(later.id)).state === "deferred" ? true : undefined));
    const deferred = await eventually(async () =>
      (await logOf(later.id)).find((r) => /deferred/.test(r.message)),
    );
    expect(deferred.level).toBe("WARNING");
  });

  it("answers the job log as CSV and text too, oldest first, and 404 for an unknown job", async () => {
    const { id } = await c.queue.enqueue("capi.Quick", {}, {});
    await eventually(async () => ((await c.queue.get(id)).state === "complete" ? true : undefined));
    await c.server.flushLogs();
    const csv = await c.admin(`/core4/api/v1/jobs/${id}/log?content_type=csv`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe("created,level,message,name,hostname,pid");
    expect(lines[1]).toMatch(/started/);
    expect((await json("/core4/api/v1/jobs/0123456789abcdef01234567/log")).status).toBe(404);
  });

  it("restarts every job of a type in error and answers a form post with 303 back", async () => {
    const ids: string[] = [];
    for (const n of [1, 2]) ids.push((await c.queue.enqueue("capi.Flaky", { n }, { attempts: 1 })).id);
    await eventually(async () => {
      const states = await Promise.all(ids.map(async (id) => (await c.queue.get(id)).state));
      return states.every((s) => s === "error") ? true : undefined;
    });
    await json("/core4/api/v1/jobs/types/capi.Flaky/pause", { method: "POST" });
    const response = await c.admin("/core4/api/v1/jobs/types/capi.Flaky/restart", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" },
      body: "state=error&next=%2Fcore4%2Fjobs%3Fname%3Dcapi.Flaky",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/core4/jobs?name=capi.Flaky");
    for (const id of ids) expect((await c.queue.get(id)).state).toBe("pending");
    const outside = await c.admin("/core4/api/v1/jobs/types/capi.Flaky/resume", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "next=https%3A%2F%2Fevil.example%2F",
    });
    expect(outside.headers.get("location")).toBe("/core4/jobs");
  });

  it("refuses pause to a read-only role, and unknown job types", async () => {
    await c.server.roles.add({ name: "reader", password: "reader-password", perm: [JOBS_READ_PERMISSION] });
    const reader = `Basic ${Buffer.from("reader:reader-password").toString("base64")}`;
    const refused = await c.server.fetch("/core4/api/v1/jobs/types/capi.Quick/pause", {
      method: "POST",
      headers: { authorization: reader },
    });
    expect(refused.status).toBe(403);
    expect((await json("/core4/api/v1/jobs/types/capi.Nope/pause", { method: "POST" })).status).toBe(404);
    expect((await json("/core4/api/v1/jobs/types/capi.Quick")).body.data).toMatchObject({ paused: false });
  });
});
