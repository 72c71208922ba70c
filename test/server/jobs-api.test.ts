import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue } from "../../framework/queue/index.js";
import { JOBS_MANAGE_PERMISSION, JOBS_READ_PERMISSION } from "../../server/index.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

const args = z.object({ day: z.date(), reset: z.boolean().default(false) });

class Condense extends CoreJob.withArgs(args) {
  static override readonly jobName = "jobsapi.Condense";
  override execute(): void {}
}

const plugin = definePlugin({ name: "jobsapi", jobs: [Condense] });

describe("jobs API", () => {
  let server: TestServer;
  let admin: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [plugin], queue: (runtime) => new JobQueue(runtime) });
    admin = { ...bearer(await server.login("admin", ADMIN_PASSWORD)), "content-type": "application/json" };
  });

  const call = async (method: string, path: string, body?: unknown, headers = admin) => {
    const response = await server.fetch(`/core4/api/v1/jobs${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it("enqueues with validated arguments, lists, shows, kills, restarts and removes", async () => {
    const created = await call("POST", "", {
      name: "jobsapi.Condense",
      args: { day: "2026-11-01", reset: "yes" },
    });
    expect(created.status).toBe(201);
    const job = created.body.data;
    expect(job).toMatchObject({
      name: "jobsapi.Condense",
      state: "pending",
      args: { day: "2026-11-01T00:00:00.000Z", reset: true },
    });
    for (const key of [
      "id",
      "progress",
      "attempts",
      "attemptsLeft",
      "enqueued",
      "started",
      "finished",
      "runtime",
      "sources",
      "error",
    ]) {
      expect(job).toHaveProperty(key);
    }

    const again = await call("POST", "", {
      name: "jobsapi.Condense",
      args: { day: "2026-11-01", reset: true },
    });
    expect(again.status).toBe(409);
    expect(again.body.error).toContain(job.id);

    const listed = await call("GET", "?state=pending");
    expect(listed.body.data.map((j: { id: string }) => j.id)).toEqual([job.id]);
    expect((await call("GET", `/${job.id}`)).body.data.id).toBe(job.id);

    const killed = await call("POST", `/${job.id}/kill`);
    expect(killed.body.data.state).toBe("killed");
    const restarted = await call("POST", `/${job.id}/restart`);
    expect(restarted.status).toBe(200);
    expect(restarted.body.data.state).toBe("pending");

    expect((await call("DELETE", `/${job.id}`)).body.data).toEqual({ removed: job.id });
  });

  it("names bad arguments, unknown jobs and unknown ids", async () => {
    const bad = await call("POST", "", { name: "jobsapi.Condense", args: { day: "someday" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain('"day"');
    const unknown = await call("POST", "", { name: "jobsapi.Nope" });
    expect(unknown.status).toBe(404);
    expect((await call("GET", "/0123456789abcdef01234567")).status).toBe(404);
    const state = await call("GET", "?state=sleeping");
    expect(state.status).toBe(400);
    expect(state.body.error).toContain('argument "state"');
  });

  it("separates reading jobs from managing them", async () => {
    await server.roles.add({ name: "viewer", password: "viewer-password", perm: [JOBS_READ_PERMISSION] });
    const viewer = {
      ...bearer(await server.login("viewer", "viewer-password")),
      "content-type": "application/json",
    };
    expect((await call("GET", "", undefined, viewer)).status).toBe(200);
    const refused = await call("POST", "", { name: "jobsapi.Condense", args: { day: "2026-11-02" } }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toContain(JOBS_MANAGE_PERMISSION);
  });
});
