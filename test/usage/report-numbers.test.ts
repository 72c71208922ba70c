/**
 * The report's numbers on hand-built data with known answers: new and returning users, compare=previous
 * and compare=year (with a leap day), exclusions and the report time zone, each counted twice — from the
 * job's rollups (`first_seen` included) and from the day documents alone — with the same result.
 */
import { type JobLogger, loadConfig, MongoRegistry, runInline } from "core4ts";
import { type Document, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparedRange, yearEarlier } from "../../plugins/usage/compare.js";
import usage, {
  AggregateLogins,
  type LoginDoc,
  parseReportArgs,
  queryReport,
} from "../../plugins/usage/index.js";
import type { FirstSeenDoc, PeriodCountDoc, PeriodUserDoc, Rollups } from "../../plugins/usage/rollups.js";
import type { ReportRow } from "../../plugins/usage/types.js";
import { testMongoUri, uniqueName } from "../support/services.js";

const quiet: JobLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};

let uri: string;
let client: MongoClient;
const registries: MongoRegistry[] = [];

beforeAll(async () => {
  uri = await testMongoUri();
  client = new MongoClient(uri);
  await client.connect();
});

afterAll(async () => {
  await Promise.all(registries.map((r) => r.close()));
  await client?.close();
});

function login(user: string, created: string): Document {
  return { created: new Date(created), level: "INFO", levelno: 20, message: "successful login", user };
}

interface Dataset {
  timezone: string;
  exclude: string[];
  report(args: Record<string, string>, fromRollups: boolean): ReturnType<typeof queryReport>;
}

/** Writes the logins to a fresh sys.log, runs the real job over the given ranges, and reports both ways. */
async function dataset(
  logins: Document[],
  runs: Array<[string, string]>,
  usageConfig: { timezone?: string; excludeUsers?: string[] } = {},
): Promise<Dataset> {
  const prefix = uniqueName("num");
  await client.db(`${prefix}_sys`).collection("sys.log").insertMany(logins);
  const timezone = usageConfig.timezone ?? "UTC";
  const config = loadConfig({
    sections: { usage: usage.config as NonNullable<typeof usage.config> },
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase: `${prefix}_sys` },
      usage: {
        sysLog: `${prefix}_sys/sys.log`,
        login: `${prefix}_usage/login`,
        start: "2020-01-01",
        ...usageConfig,
      },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase: `${prefix}_sys` });
  registries.push(mongo);
  for (const [start, end] of runs) {
    await runInline({ config, mongo, logger: quiet, plugins: [usage] }, AggregateLogins, { start, end });
  }
  const db = client.db(`${prefix}_usage`);
  const rollups: Rollups = {
    periodUsers: db.collection<PeriodUserDoc>("login.period_users"),
    periodCounts: db.collection<PeriodCountDoc>("login.period_counts"),
    firstSeen: db.collection<FirstSeenDoc>("login.first_seen"),
  };
  const exclude = ["admin", ...(usageConfig.excludeUsers ?? [])];
  return {
    timezone,
    exclude,
    report: (args, fromRollups) =>
      queryReport(
        db.collection<LoginDoc>("login"),
        parseReportArgs(args, { timezone, maxRangeDays: 3660, now: new Date("2026-11-28T12:00:00Z") }),
        {
          timezone,
          weekStartsOn: "monday",
          exclude,
          dataThrough: null,
          rollups: fromRollups ? rollups : undefined,
        },
      ),
  };
}

function numbers(rows: readonly ReportRow[]) {
  return rows.map((r) => ({
    label: r.label,
    users: r.users,
    logins: r.logins,
    new_users: r.new_users,
    returning_users: r.returning_users,
    previous_users: r.previous_users,
    previous_logins: r.previous_logins,
  }));
}

describe("new and returning users, compare=previous", () => {
  let data: Dataset;
  beforeAll(async () => {
    data = await dataset(
      [
        login("frank", "2025-12-01T09:00:00Z"), // long before the range
        login("alice", "2026-01-13T09:00:00Z"), // before the range (in the compared one)
        login("dave", "2026-01-20T09:00:00Z"),
        login("dave", "2026-01-27T09:00:00Z"),
        login("alice", "2026-02-03T09:00:00Z"),
        login("carol", "2026-02-04T09:00:00Z"),
        login("erin", "2026-02-05T09:00:00Z"), // excluded by config
        login("admin", "2026-02-05T09:00:00Z"), // never counted
        login("bob", "2026-02-10T09:00:00Z"),
        login("bob", "2026-02-11T09:00:00Z"),
        login("alice", "2026-02-17T09:00:00Z"),
        login("bob", "2026-02-18T09:00:00Z"),
        login("frank", "2026-02-20T09:00:00Z"),
      ],
      [
        ["2025-12-01", "2025-12-01"],
        ["2026-01-12", "2026-02-22"],
      ],
      { excludeUsers: ["erin"] },
    );
  });

  const args = { start: "2026-02-02", end: "2026-02-22", aggregate: "week" };

  for (const fromRollups of [true, false]) {
    it(`counts a user new in the period of their first login ever (${fromRollups ? "rollups" : "day documents"})`, async () => {
      const report = await data.report(args, fromRollups);
      expect(numbers(report.rows)).toEqual([
        // alice logged in before the range: returning; carol's first login ever.
        { label: "2026-W06", users: 2, logins: 2, new_users: 1, returning_users: 1 },
        { label: "2026-W07", users: 1, logins: 2, new_users: 1, returning_users: 0 },
        // bob's second week, alice and frank again: all returning.
        { label: "2026-W08", users: 3, logins: 3, new_users: 0, returning_users: 3 },
      ]);
      expect(report.total).toEqual({ users: 4, logins: 7, new_users: 2, returning_users: 2 });
    });

    it(`compares with the preceding range of equal length (${fromRollups ? "rollups" : "day documents"})`, async () => {
      const report = await data.report({ ...args, compare: "previous" }, fromRollups);
      // 21 days back: 2026-01-12 .. 2026-02-01, three weeks: alice; dave; dave.
      expect(report.compared).toEqual({ compare: "previous", start: "2026-01-12", end: "2026-02-01" });
      expect(report.rows.map((r) => [r.previous_users, r.previous_logins])).toEqual([
        [1, 1],
        [1, 1],
        [1, 1],
      ]);
      expect(report.total).toMatchObject({ users: 4, previous_users: 2, previous_logins: 3 });
    });
  }

  it("gives null where the compared report has no row at that index", async () => {
    // 2026-02-08 (Sun) .. 2026-02-16 (Mon), 9 days: W06 (one day), W07, W08 (one day). The previous 9 days,
    // 2026-01-30 .. 2026-02-07, are W05 (three days, nobody) and W06 (alice, carol): two rows.
    for (const fromRollups of [true, false]) {
      const report = await data.report(
        { start: "2026-02-08", end: "2026-02-16", aggregate: "week", compare: "previous" },
        fromRollups,
      );
      expect(report.rows.map((r) => [r.label, r.previous_users, r.previous_logins])).toEqual([
        ["2026-W06", 0, 0],
        ["2026-W07", 2, 2],
        ["2026-W08", null, null],
      ]);
    }
  });
});

describe("compare=year across a leap day", () => {
  let data: Dataset;
  beforeAll(async () => {
    data = await dataset(
      [
        login("hank", "2023-02-27T09:00:00Z"),
        login("jo", "2023-02-28T09:00:00Z"),
        login("hank", "2023-03-01T09:00:00Z"),
        login("hank", "2023-03-01T10:00:00Z"),
        login("ivy", "2024-02-27T09:00:00Z"),
        login("hank", "2024-02-29T09:00:00Z"),
        login("ivy", "2024-03-01T09:00:00Z"),
      ],
      [
        ["2023-02-27", "2023-03-01"],
        ["2024-02-27", "2024-03-01"],
      ],
    );
  });

  it("maps Feb 29 to Feb 28 and pairs rows by index, null past the shorter year", async () => {
    expect(yearEarlier("2024-02-29")).toBe("2023-02-28");
    expect(yearEarlier("2024-03-01")).toBe("2023-03-01");
    expect(comparedRange("2024-02-29", "2024-03-02", "year")).toEqual({
      compare: "year",
      start: "2023-02-28",
      end: "2023-03-02",
    });
    for (const fromRollups of [true, false]) {
      const report = await data.report(
        { start: "2024-02-27", end: "2024-03-01", aggregate: "day", compare: "year" },
        fromRollups,
      );
      expect(report.compared).toEqual({ compare: "year", start: "2023-02-27", end: "2023-03-01" });
      expect(numbers(report.rows)).toEqual([
        {
          label: "2024-02-27",
          users: 1,
          logins: 1,
          new_users: 1,
          returning_users: 0,
          previous_users: 1,
          previous_logins: 1,
        },
        {
          label: "2024-02-28",
          users: 0,
          logins: 0,
          new_users: 0,
          returning_users: 0,
          previous_users: 1,
          previous_logins: 1,
        },
        // hank's first login was in 2023: returning. Index 2 of 2023 is March 1st (two logins).
        {
          label: "2024-02-29",
          users: 1,
          logins: 1,
          new_users: 0,
          returning_users: 1,
          previous_users: 1,
          previous_logins: 2,
        },
        {
          label: "2024-03-01",
          users: 1,
          logins: 1,
          new_users: 0,
          returning_users: 1,
          previous_users: null,
          previous_logins: null,
        },
      ]);
      expect(report.total).toEqual({
        users: 2,
        logins: 3,
        new_users: 1,
        returning_users: 1,
        previous_users: 2,
        previous_logins: 4,
      });
    }
  });
});

describe("the report time zone decides the first day", () => {
  it("counts a login at 23:30 UTC on the next Berlin day, in the next week", async () => {
    const logins = [login("gina", "2026-02-08T23:30:00Z"), login("gina", "2026-02-12T10:00:00Z")];
    const runs: Array<[string, string]> = [["2026-02-02", "2026-02-15"]];
    const args = { start: "2026-02-02", end: "2026-02-15", aggregate: "week" };
    const utc = await dataset(logins, runs);
    const berlin = await dataset(logins, runs, { timezone: "Europe/Berlin" });
    for (const fromRollups of [true, false]) {
      expect(numbers((await utc.report(args, fromRollups)).rows)).toEqual([
        { label: "2026-W06", users: 1, logins: 1, new_users: 1, returning_users: 0 },
        { label: "2026-W07", users: 1, logins: 1, new_users: 0, returning_users: 1 },
      ]);
      expect(numbers((await berlin.report(args, fromRollups)).rows)).toEqual([
        { label: "2026-W06", users: 0, logins: 0, new_users: 0, returning_users: 0 },
        { label: "2026-W07", users: 1, logins: 2, new_users: 1, returning_users: 0 },
      ]);
    }
  });
});
