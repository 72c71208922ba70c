import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

const args = z.object({ n: z.number().int() });

class Load extends CoreJob.withArgs(args) {
  static override readonly jobName = "bulkapi.Load";
  override execute(): void {}
}

class Nightly extends CoreJob {
  static override readonly jobName = "bulkapi.Nightly";
  static override readonly schedule = "0 2 * * *";
  static override readonly timezone = "Europe/Berlin";
  static override readonly catchup = "none";
  override execute(): void {}
}

const plugin = definePlugin({ name: "bulkapi", jobs: [Load, Nightly] });

describe("jobs API: bulk enqueue, enqueue options, bulk redrive, schedules", () => {
  let server: TestServer;
  let admin: Record<string, string>;
  let queue: JobQueue | undefined;

  beforeAll(async () => {
    server = await startTestServer({
      plugins: [plugin],
      queue: (runtime) => {
        queue = new JobQueue(runtime);
        return queue;
      },
    });
    admin = { ...bearer(await server.login("admin", ADMIN_PASSWORD)), "content-type": "application/json" };
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await server.fetch(`/core4/api/v1${path}`, {
      method,
      headers: admin,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it("enqueues an array with a result per item: ids, duplicates and bad arguments", async () => {
    const created = await call("POST", "/jobs", [
      { name: "bulkapi.Load", args: { n: 1 } },
      { name: "bulkapi.Load", args: { n: 2 } },
      { name: "bulkapi.Load", args: { n: 1 } },
      { name: "bulkapi.Load", args: { n: "x" } },
      { name: "bulkapi.Load", args: { n: 3 }, delay: "10m", priority: 2, attempts: 3 },
    ]);
    expect(created.status).toBe(201);
    const results = created.body.data;
    expect(results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results[0]).toHaveProperty("id");
    expect(results[2]).toMatchObject({ refused: "duplicate", existingId: results[0].id });
    expect(results[3]).toMatchObject({ refused: "bad_argument" });
    expect(results[3].error).toContain('"n"');
    const delayed = await call("GET", `/jobs/${results[4].id}`);
    expect(delayed.body.data).toMatchObject({ state: "pending", attemptsLeft: 3 });
    expect(Date.parse(delayed.body.data.nextTry) - Date.now()).toBeGreaterThan(590_000);
  });

  it("refuses a bad item or option naming it, and queues nothing of that request", async () => {
    const before = (await call("GET", "/jobs?name=bulkapi.Load")).body.data.length;
    const bad = await call("POST", "/jobs", [
      { name: "bulkapi.Load", args: { n: 50 } },
      { name: "bulkapi.Load", delay: "soon" },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/item 1: delay must be seconds or a duration/);
    const unknown = await call("POST", "/jobs", [
      { name: "bulkapi.Load", args: { n: 51 } },
      { name: "bulkapi.Nope" },
    ]);
    expect(unknown.status).toBe(404);
    expect((await call("GET", "/jobs?name=bulkapi.Load")).body.data.length).toBe(before);
    const option = await call("POST", "/jobs", { name: "bulkapi.Load", args: { n: 52 }, attempts: 0 });
    expect(option.status).toBe(400);
    expect(option.body.error).toContain('"attempts"');
    const at = await call("POST", "/jobs", { name: "bulkapi.Load", args: { n: 53 }, at: "tomorrow" });
    expect(at.status).toBe(400);
    expect(at.body.error).toMatch(/at must be an ISO date-time/);
  });

  it("restarts and removes every job of a name in a state, and says how many", async () => {
    const created = await call("POST", "/jobs", [
      { name: "bulkapi.Load", args: { n: 100 } },
      { name: "bulkapi.Load", args: { n: 101 } },
      { name: "bulkapi.Load", args: { n: 102 } },
    ]);
    await call("POST", `/jobs/${created.body.data[0].id}/kill`);
    const removed = await call("POST", "/jobs/remove", { name: "bulkapi.Load", state: "pending" });
    expect(removed.status).toBe(200);
    expect(removed.body.data).toMatchObject({ done: removed.body.data.matched, refused: [] });
    // The two left pending, and any other test's pending ones.
    expect(removed.body.data.matched).toBeGreaterThanOrEqual(2);
    expect((await call("GET", "/jobs?name=bulkapi.Load&state=pending")).body.data).toEqual([]);
    const state = await call("POST", "/jobs/restart", { name: "bulkapi.Load", state: "complete" });
    expect(state.status).toBe(409);
    expect(state.body.error).toMatch(/do not restart/);
  });

  it("lists the schedules with the next three runs and the policy", async () => {
    const schedules = await call("GET", "/schedules");
    expect(schedules.status).toBe(200);
    expect(schedules.body.data).toHaveLength(1);
    const [nightly] = schedules.body.data;
    expect(nightly).toMatchObject({
      jobName: "bulkapi.Nightly",
      pattern: "0 2 * * *",
      timezone: "Europe/Berlin",
      last: null,
      policy: { catchup: "none", catchupWindow: 86_400, overlap: "skip" },
    });
    expect(nightly.next).toHaveLength(3);
    expect(nightly.next.every((t: string) => /T0[01]:00:00\.000Z$/.test(t))).toBe(true);
    expect(queue).toBeDefined();
  });
});
