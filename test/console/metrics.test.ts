import { describe, expect, it } from "vitest";
import usage, { usageConfigSchema } from "../../plugins/usage/index.js";
import { eventually } from "../job/support.js";
import { uniqueName } from "../support/services.js";
import { startConsoleServer } from "./support/console-server.js";

const TOKEN = "metrics-token-0123456789";

/** The value of one sample line `name{labels} value` of the Prometheus text format. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf("}"));
    const found = Object.fromEntries(
      [...body.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v))
      return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

describe("GET /metrics", async () => {
  const db = uniqueName("usage");
  const c = await startConsoleServer({
    plugins: [usage],
    sections: { usage: usageConfigSchema },
    config: { usage: { sysLog: `${db}/sys.log`, login: `${db}/login` } },
    server: { metricsToken: TOKEN },
  });
  const scrape = (headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    c.server.fetch("/metrics", { headers });

  it("needs the bearer token when server.metricsToken is set", async () => {
    expect((await scrape({})).status).toBe(401);
    expect((await scrape({ authorization: "Bearer wrong-token-0123456789" })).status).toBe(401);
    expect(
      (await scrape({ authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString("base64")}` })).status,
    ).toBe(401);
    expect((await scrape()).status).toBe(200);
  });

  it("counts requests by method, route pattern and status, and their times in cumulative buckets", async () => {
    const route = { method: "GET", route: "/core4/api/v1/health" };
    const before = await (await scrape()).text();
    const count = (text: string, status: string) =>
      sample(text, "core4_http_requests_total", { ...route, status }) ?? 0;
    for (let i = 0; i < 3; i++) expect((await c.server.fetch("/core4/api/v1/health")).status).toBe(200);
    // A path no route has: one "unmatched" series, not one per path.
    await c.server.fetch("/no/such/path/1");
    await c.server.fetch("/no/such/path/2");
    const text = await (await scrape()).text();
    expect(count(text, "200") - count(before, "200")).toBe(3);
    expect(
      sample(text, "core4_http_requests_total", { method: "GET", route: "unmatched", status: "404" }),
    ).toBeGreaterThanOrEqual(2);
    expect(text).not.toContain("/no/such/path");
    const seconds = "core4_http_request_duration_seconds";
    expect(text).toContain(`# TYPE ${seconds} histogram`);
    const buckets = [
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "10",
      "+Inf",
    ].map((le) => sample(text, `${seconds}_bucket`, { ...route, le }) ?? -1);
    // Cumulative: never falling, the last one every request of the route.
    expect(buckets.every((n, i) => i === 0 || n >= (buckets[i - 1] as number))).toBe(true);
    expect(buckets.at(-1)).toBe(sample(text, `${seconds}_count`, route));
    expect(sample(text, `${seconds}_count`, route)).toBeGreaterThanOrEqual(3);
    expect(sample(text, `${seconds}_sum`, route)).toBeGreaterThan(0);
  });

  it("counts jobs per state, runs and their durations after a run of usage.AggregateLogins", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const { id } = await c.queue.enqueue("usage.AggregateLogins", { start: today });
    await eventually(async () => ((await c.queue.get(id)).state === "complete" ? true : undefined));
    const name = "usage.AggregateLogins";
    const text = await eventually(async () => {
      const body = await (await scrape()).text();
      return (sample(body, "core4_job_run_seconds_count", { name }) ?? 0) >= 1 ? body : undefined;
    });
    expect((await scrape()).headers.get("content-type")).toMatch(/^text\/plain; version=0.0.4/);
    expect(sample(text, "core4_jobs", { name, state: "complete" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "core4_jobs", { name, state: "error" })).toBe(0);
    expect(sample(text, "core4_job_runs_total", { name, state: "complete" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "core4_job_types_paused", { name })).toBe(0);
    expect(text).toContain("# TYPE core4_job_run_seconds histogram");
    expect(sample(text, "core4_job_run_seconds_bucket", { name, le: "+Inf" })).toBeGreaterThanOrEqual(1);
    expect(sample(text, "core4_job_run_seconds_sum", { name })).toBeGreaterThan(0);
    // Node process metrics and HTTP requests by route pattern.
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(
      sample(text, "core4_http_requests_total", { method: "GET", route: "/metrics", status: "200" }),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain("core4_http_request_duration_seconds_bucket");

    await c.admin(`/core4/api/v1/jobs/types/${name}/pause`, { method: "POST" });
    expect(sample(await (await scrape()).text(), "core4_job_types_paused", { name })).toBe(1);
    await c.admin(`/core4/api/v1/jobs/types/${name}/resume`, { method: "POST" });
  });
});
