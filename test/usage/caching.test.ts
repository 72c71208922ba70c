/**
 * Caching (docs/contracts.md "HTTP", Caching): every usage reply carries an ETag made of what determines
 * it; If-None-Match with it gets 304 and no body; a new run of the job changes it. Also PNG charts and the
 * refusal of bad arguments.
 */
import { runInline } from "core4ts";
import { PNG } from "pngjs";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { AggregateLogins } from "../../plugins/usage/aggregate-logins.js";
import { chartMargins, integerTicks } from "../../plugins/usage/chart/line-chart.js";
import { DATA_VERSION_MS } from "../../plugins/usage/routes.js";
import { startUsageServer, type UsageServer } from "./support/usage-server.js";

let server: UsageServer;
const RANGE = "start=2025-11-03&end=2025-11-23&aggregate=w";

function login(user: string, created: string) {
  return { created: new Date(created), level: "INFO", levelno: 20, message: "successful login", user };
}

async function runJob(start: string, end: string): Promise<void> {
  const runtime = server.server.runtime;
  await runInline({ ...runtime, plugins: [] }, AggregateLogins, { start, end });
}

beforeAll(async () => {
  server = await startUsageServer({ sysLog: "sys.log" });
  await server.sysDb
    .collection("sys.log")
    .insertMany([
      login("alice", "2025-11-03T08:00:00Z"),
      login("bob", "2025-11-10T08:00:00Z"),
      login("alice", "2025-11-17T08:00:00Z"),
    ]);
  await runJob("2025-11-01", "2025-11-20");
});

describe("ETag and 304", () => {
  it("answers If-None-Match with the current tag with 304 and no body, on every usage route", async () => {
    for (const path of [
      `/usage/login/raw?${RANGE}`,
      `/usage/login/plot?${RANGE}`,
      `/usage/login?${RANGE}`,
      "/usage/active/raw?start=2025-11-01&end=2025-11-30",
      "/usage/active/plot?start=2025-11-01&end=2025-11-30",
      "/usage/active?start=2025-11-01&end=2025-11-30",
    ]) {
      const first = await server.fetch(path);
      expect(first.status, path).toBe(200);
      const tag = first.headers.get("etag");
      expect(tag, path).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
      expect(first.headers.get("cache-control")).toBe("private, no-cache");
      const again = await server.fetch(path, { headers: { "if-none-match": tag as string } });
      expect(again.status, path).toBe(304);
      expect(await again.text()).toBe("");
      expect(again.headers.get("etag")).toBe(tag);
      const other = await server.fetch(path, { headers: { "if-none-match": 'W/"something-else"' } });
      expect(other.status).toBe(200);
    }
  });

  it("changes with the arguments and the negotiated format", async () => {
    const tagOf = async (path: string, headers: Record<string, string> = {}) =>
      (await server.fetch(path, { headers })).headers.get("etag");
    const weekly = await tagOf(`/usage/login/raw?${RANGE}`);
    expect(await tagOf(`/usage/login/raw?${RANGE}`)).toBe(weekly);
    expect(await tagOf(`/usage/login/raw?${RANGE.replace("aggregate=w", "aggregate=d")}`)).not.toBe(weekly);
    expect(await tagOf(`/usage/login/raw?${RANGE}&compare=previous`)).not.toBe(weekly);
    expect(await tagOf(`/usage/login/raw?${RANGE}&content_type=csv`)).not.toBe(weekly);
    expect(await tagOf(`/usage/login/raw?${RANGE}`, { accept: "text/csv" })).not.toBe(weekly);
    const plot = await tagOf(`/usage/login/plot?${RANGE}`);
    expect(await tagOf(`/usage/login/plot?${RANGE}&width=500`)).not.toBe(plot);
    expect(await tagOf(`/usage/login/plot?${RANGE}&format=png`)).not.toBe(plot);
  });

  it("changes when the job completes a new run", async () => {
    const path = `/usage/login/plot?${RANGE}`;
    const before = await server.fetch(path);
    const tag = before.headers.get("etag") as string;
    const svg = await before.text();
    // A repeated request is served from the chart cache: the very same document.
    expect(await (await server.fetch(path)).text()).toBe(svg);

    await server.sysDb.collection("sys.log").insertOne(login("carol", "2025-11-21T08:00:00Z"));
    await runJob("2025-11-20", "2025-11-22");
    // The server reads the job's cookie at most once per DATA_VERSION_MS (1 s): the tag changes within it.
    const ran = Date.now();
    let after = await server.fetch(path, { headers: { "if-none-match": tag } });
    await vi.waitFor(
      async () => {
        after = await server.fetch(path, { headers: { "if-none-match": tag } });
        expect(after.status).toBe(200);
      },
      { timeout: 10_000, interval: 50 },
    );
    // Generous for a loaded machine; what matters is that it is bounded, not a cache kept until restart.
    expect(Date.now() - ran).toBeLessThan(DATA_VERSION_MS + 5_000);
    expect(after.headers.get("etag")).not.toBe(tag);
    expect(await after.text()).toContain("2 users");
  });

  it("sends no ETag with a refusal, and the refusal names the argument and nothing of the report", async () => {
    for (const [path, message] of [
      [`/usage/login/raw?${RANGE}&compare=week`, 'compare: "week" is not one of previous, year'],
      [`/usage/login/plot?${RANGE}&format=gif`, 'format: "gif" is not one of svg, png'],
      [`/usage/active/plot?format=gif`, 'format: "gif" is not one of svg, png'],
      [`/usage/active/raw?start=2025-11-30&end=2025-11-01`, "end: 2025-11-01 is before start 2025-11-30"],
      [`/usage/login/plot?${RANGE}&width=5`, "width: expected a whole number of pixels from 100 to 10000"],
    ] as const) {
      const response = await server.fetch(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get("etag")).toBeNull();
      const body = (await response.json()) as { error: string; data: unknown };
      expect(body).toMatchObject({ code: 400, error: message, data: null });
    }
    const page = await server.fetch(`/usage/login?${RANGE}&compare=week`);
    expect(page.status).toBe(400);
    const html = await page.text();
    expect(html).toContain("compare: &quot;week&quot; is not one of previous, year");
    expect(html).not.toContain("<table");
  });
});

describe("format=png", () => {
  it("is a PNG of the requested size with the line drawn where the points are", async () => {
    const response = await server.fetch(`/usage/login/plot?${RANGE}&format=png&width=600&height=300`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const png = PNG.sync.read(bytes);
    expect([png.width, png.height]).toEqual([600, 300]);

    // Where the chart puts its points: weeks W45 (1 user), W46 (1), W47 (2 after the rerun or 1 before).
    const rows = (
      (await (await server.fetch(`/usage/login/raw?${RANGE}`)).json()) as { data: Array<{ users: number }> }
    ).data.map((r) => r.users);
    const margin = chartMargins("2025-W45".length);
    const innerWidth = 600 - margin.left - margin.right;
    const innerHeight = 300 - margin.top - margin.bottom;
    const top = integerTicks(Math.max(...rows)).at(-1) as number;
    const point = (i: number): [number, number] => [
      margin.left + (innerWidth / rows.length) * (i + 0.5),
      margin.top + innerHeight * (1 - (rows[i] as number) / top),
    ];
    const blue = ([x, y]: [number, number]): boolean => {
      const at = (Math.round(y) * png.width + Math.round(x)) * 4;
      const [r, b] = [png.data[at] as number, png.data[at + 2] as number];
      return b > 150 && r < 120 && b - r > 80; // the series colour #2563eb, not the white background
    };
    for (let i = 0; i < rows.length; i++) expect(blue(point(i)), `point ${i}`).toBe(true);
    const [a, b] = [point(0), point(1)];
    expect(blue([(a[0] + b[0]) / 2, (a[1] + b[1]) / 2])).toBe(true);
    // And white away from the line, in the plot area's empty corner below the first point.
    const at = (Math.round(margin.top + innerHeight - 5) * png.width + Math.round(margin.left + 5)) * 4;
    expect(png.data[at]).toBeGreaterThan(200);

    const active = await server.fetch("/usage/active/plot?start=2025-11-01&end=2025-11-30&format=png");
    expect(PNG.sync.read(Buffer.from(await active.arrayBuffer())).width).toBe(800);
  });
});
