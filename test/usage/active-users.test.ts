/**
 * Rolling active users on hand-built data with known answers: windows that reach back before `start`,
 * stickiness rounding, exclusions and the report time zone; and the same rows through JSON, CSV and HTML.
 */

import { runInline } from "core4ts";
import { JSDOM } from "jsdom";
import type { Collection, Document } from "mongodb";
import { beforeAll, describe, expect, it } from "vitest";
import { type ActiveRow, queryActive, stickiness } from "../../plugins/usage/active-users.js";
import { AggregateLogins } from "../../plugins/usage/aggregate-logins.js";
import { condenseDay } from "../../plugins/usage/condense-day.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import type { PeriodCountDoc, PeriodUserDoc } from "../../plugins/usage/rollups.js";
import type { LoginDoc } from "../../plugins/usage/types.js";
import { parseCsvObjects } from "../server/support/parse-csv.js";
import { startUsageServer, type UsageServer } from "./support/usage-server.js";

function login(user: string, created: string): Document {
  return { created: new Date(created), level: "INFO", levelno: 20, message: "successful login", user };
}

const LOGINS = [
  login("u1", "2026-02-01T10:00:00Z"), // 28 days before start: in MAU of 03-01 and 03-02 only
  login("u2", "2026-02-25T10:00:00Z"), // in WAU of 03-01 .. 03-03, MAU of the whole range
  login("u3", "2026-03-05T10:00:00Z"),
  login("u3", "2026-03-06T10:00:00Z"),
  login("u3", "2026-03-06T11:00:00Z"),
  login("bot", "2026-03-05T10:00:00Z"), // excluded by config
  login("admin", "2026-03-06T10:00:00Z"), // never counted
  login("u4", "2026-03-07T23:30:00Z"), // 03-07 in UTC, 03-08 in Berlin
];

const DAYS = ["2026-02-01", "2026-02-25", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08"];

function row(day: string, dau: number, wau: number, mau: number): ActiveRow {
  return { day, dau, wau, mau, stickiness: stickiness(dau, mau) };
}

async function condensed(server: UsageServer, timezone: string): Promise<Collection<LoginDoc>> {
  const source = server.sysDb.collection("sys.log");
  await source.insertMany(LOGINS.map((l) => ({ ...l })));
  const target = server.usageDb.collection<LoginDoc>("login");
  await ensureTargetIndexes(target);
  for (const day of DAYS) await condenseDay(source, target, day, { timezone, exclude: ["admin", "bot"] });
  return target;
}

describe("stickiness", () => {
  it("is dau / mau rounded half up to 4 decimals, 0 without users", () => {
    expect(stickiness(1, 3)).toBe(0.3333);
    expect(stickiness(2, 3)).toBe(0.6667);
    expect(stickiness(1, 7)).toBe(0.1429);
    expect(stickiness(1, 20_000)).toBe(0.0001); // exactly half of the last decimal: up
    expect(stickiness(1, 40_000)).toBe(0); // a quarter of the last decimal: down
    expect(stickiness(0, 5)).toBe(0);
    expect(stickiness(0, 0)).toBe(0);
    expect(stickiness(4, 4)).toBe(1);
  });
});

describe("/usage/active", () => {
  let server: UsageServer;
  let target: Collection<LoginDoc>;
  const range = "start=2026-03-01&end=2026-03-10";

  beforeAll(async () => {
    server = await startUsageServer({ excludeUsers: ["bot"], sysLog: "sys.log" });
    target = await condensed(server, "UTC");
  });

  const expected = [
    row("2026-03-01", 0, 1, 2),
    row("2026-03-02", 0, 1, 2),
    row("2026-03-03", 0, 1, 1),
    row("2026-03-04", 0, 0, 1),
    row("2026-03-05", 1, 1, 2),
    row("2026-03-06", 1, 1, 2),
    row("2026-03-07", 1, 2, 3), // u4
    row("2026-03-08", 0, 2, 3),
    row("2026-03-09", 0, 2, 3),
    row("2026-03-10", 0, 2, 3),
  ];

  it("counts DAU, WAU and MAU with windows reaching back before start", async () => {
    const report = await queryActive(
      target,
      { start: "2026-03-01", end: "2026-03-10" },
      { timezone: "UTC", exclude: ["admin", "bot"], dataThrough: null },
    );
    expect(report.rows).toEqual(expected);
    expect(report.rows[4]?.stickiness).toBe(0.5);
    expect(report.rows[6]?.stickiness).toBe(0.3333);
  });

  it("gives the same rows as JSON, CSV and the HTML table, and the page", async () => {
    const json = (await (await server.fetch(`/usage/active/raw?${range}`)).json()) as { data: ActiveRow[] };
    expect(json.data).toEqual(expected);
    const strings = expected.map((r) =>
      Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])),
    );
    const csv = await (await server.fetch(`/usage/active/raw?${range}&content_type=csv`)).text();
    expect(csv.split("\r\n")[0]).toBe("day,dau,wau,mau,stickiness");
    expect(parseCsvObjects(csv)).toEqual(strings);
    const html = await server.fetch(`/usage/active/raw?${range}`, { headers: { accept: "text/html" } });
    const doc = new JSDOM(await html.text()).window.document;
    const headers = [...doc.querySelectorAll("thead th")].map((th) => th.textContent);
    const cells = [...doc.querySelectorAll("tbody tr")].map((tr) =>
      Object.fromEntries([...tr.children].map((td, i) => [headers[i], td.textContent])),
    );
    expect(cells).toEqual(strings);

    const page = new JSDOM(await (await server.fetch(`/usage/active?${range}`)).text()).window.document;
    const pageRows = [...page.querySelectorAll("tbody tr")].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(pageRows).toEqual(
      expected.map((r) => [r.day, String(r.dau), String(r.wau), String(r.mau), String(r.stickiness)]),
    );
    expect(page.querySelector("figure svg")?.getAttribute("role")).toBe("img");
    const plot = await (await server.fetch(`/usage/active/plot?${range}`)).text();
    expect(plot).toContain('class="line dau"');
    expect(plot).toContain("MAU (30 days)");
  });

  it("reads the same days from the job's month rollups", async () => {
    await runInline({ ...server.server.runtime, plugins: [] }, AggregateLogins, {
      start: "2026-02-01",
      end: "2026-03-10",
    });
    const db = server.usageDb;
    const rollups = {
      periodUsers: db.collection<PeriodUserDoc>("login.period_users"),
      periodCounts: db.collection<PeriodCountDoc>("login.period_counts"),
    };
    const march = await rollups.periodUsers.findOne({
      unit: "month",
      start: new Date("2026-03-01"),
      user: "u3",
    });
    expect(march?.days).toBe((1 << 4) | (1 << 5)); // March 5th and 6th
    const report = await queryActive(
      target,
      { start: "2026-03-01", end: "2026-03-10" },
      { timezone: "UTC", exclude: ["admin", "bot"], dataThrough: null, rollups },
    );
    expect(report.rows).toEqual(expected);
    const json = (await (await server.fetch(`/usage/active/raw?${range}`)).json()) as { data: ActiveRow[] };
    expect(json.data).toEqual(expected);
  });

  it("puts a login on its day in the report time zone", async () => {
    const berlin = await startUsageServer({ excludeUsers: ["bot"], timezone: "Europe/Berlin" });
    const berlinTarget = await condensed(berlin, "Europe/Berlin");
    const report = await queryActive(
      berlinTarget,
      { start: "2026-03-07", end: "2026-03-08" },
      { timezone: "Europe/Berlin", exclude: ["admin", "bot"], dataThrough: null },
    );
    expect(report.rows.map((r) => [r.day, r.dau])).toEqual([
      ["2026-03-07", 0],
      ["2026-03-08", 1],
    ]);
  });
});
