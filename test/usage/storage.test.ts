import { type Collection, type Document, MongoClient } from "mongodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { condenseDay } from "../../plugins/usage/condense-day.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import type { WeekStart } from "../../plugins/usage/periods.js";
import { parseReportArgs, type RawReportArgs } from "../../plugins/usage/report-args.js";
import { queryReport } from "../../plugins/usage/report-query.js";
import type { LoginDoc } from "../../plugins/usage/types.js";
import { testMongoUri, uniqueName } from "../support/services.js";

let client: MongoClient;
let source: Collection<Document>;
let target: Collection<LoginDoc>;

const NOW = new Date("2026-11-28T12:00:00Z");

function login(user: string, created: string, extra: Document = {}): Document {
  return {
    created: new Date(created),
    level: "INFO",
    levelno: 20,
    message: "successful login",
    user,
    ...extra,
  };
}

async function condense(days: string[], timezone = "UTC", exclude: string[] = ["admin"]): Promise<void> {
  for (const day of days) await condenseDay(source, target, day, { timezone, exclude });
}

async function report(
  args: RawReportArgs,
  options: { timezone?: string; weekStartsOn?: WeekStart; exclude?: string[] } = {},
) {
  const timezone = options.timezone ?? "UTC";
  const range = parseReportArgs(args, { timezone, maxRangeDays: 3660, now: NOW });
  return queryReport(target, range, {
    timezone,
    weekStartsOn: options.weekStartsOn ?? "monday",
    exclude: options.exclude ?? ["admin"],
  });
}

function userDocs(): Promise<Document[]> {
  return target
    .find({}, { projection: { _id: 0 } })
    .sort({ day: 1, user: 1 })
    .toArray();
}

beforeAll(async () => {
  client = new MongoClient(await testMongoUri());
  await client.connect();
});

afterAll(async () => {
  await client?.close();
});

beforeEach(async () => {
  const db = client.db(uniqueName("usage"));
  source = db.collection("sys.log");
  target = db.collection<LoginDoc>("login");
  await ensureTargetIndexes(target);
});

describe("condenseDay", () => {
  it("keeps one document per day and user with count, first and last login", async () => {
    await source.insertMany([
      login("alice", "2026-11-02T08:00:00Z"),
      login("alice", "2026-11-02T17:30:00Z"),
      login("bob", "2026-11-02T09:00:00Z"),
      login("admin", "2026-11-02T09:00:00Z"),
      login("carol", "2026-11-02T10:00:00Z", { message: "failed login", level: "WARNING" }),
      login("dave", "2026-11-03T10:00:00Z"),
    ]);
    await condense(["2026-11-02"]);
    expect(await userDocs()).toEqual([
      {
        day: new Date("2026-11-02T00:00:00Z"),
        user: "alice",
        logins: 2,
        first: new Date("2026-11-02T08:00:00Z"),
        last: new Date("2026-11-02T17:30:00Z"),
      },
      {
        day: new Date("2026-11-02T00:00:00Z"),
        user: "bob",
        logins: 1,
        first: new Date("2026-11-02T09:00:00Z"),
        last: new Date("2026-11-02T09:00:00Z"),
      },
    ]);
  });

  it("is idempotent and drops users whose logins are gone", async () => {
    await source.insertMany([login("alice", "2026-11-02T08:00:00Z"), login("bob", "2026-11-02T09:00:00Z")]);
    await condense(["2026-11-02", "2026-11-02"]);
    const once = await userDocs();
    expect(once).toHaveLength(2);
    await condense(["2026-11-02"]);
    expect(await userDocs()).toEqual(once);
    await source.deleteMany({ user: "bob" });
    await condense(["2026-11-02"]);
    expect((await userDocs()).map((d) => d.user)).toEqual(["alice"]);
  });

  it("counts a 23:30 UTC login on the next day in Europe/Berlin", async () => {
    await source.insertOne(login("alice", "2026-11-26T23:30:00Z"));
    await condense(["2026-11-26", "2026-11-27"], "Europe/Berlin");
    const docs = await userDocs();
    expect(docs.map((d) => d.day)).toEqual([new Date("2026-11-27T00:00:00Z")]);
    const rows = (
      await report({ start: "2026-11-26", end: "2026-11-27", aggregate: "d" }, { timezone: "Europe/Berlin" })
    ).rows;
    expect(rows.map((r) => [r.label, r.users])).toEqual([
      ["2026-11-26", 0],
      ["2026-11-27", 1],
    ]);
  });
});

describe("report", () => {
  it("counts a user once per week and the range total once", async () => {
    await source.insertMany([
      // 2026-W45 (Mon 2026-11-02 .. Sun 2026-11-08): alice on three days, bob once.
      login("alice", "2026-11-02T08:00:00Z"),
      login("alice", "2026-11-04T08:00:00Z"),
      login("alice", "2026-11-06T08:00:00Z"),
      login("bob", "2026-11-05T08:00:00Z"),
      login("admin", "2026-11-05T08:00:00Z"),
      // 2026-W46 empty; 2026-W47: alice again and carol.
      login("alice", "2026-11-16T08:00:00Z"),
      login("carol", "2026-11-22T23:00:00Z"),
    ]);
    await condense([
      "2026-11-02",
      "2026-11-03",
      "2026-11-04",
      "2026-11-05",
      "2026-11-06",
      "2026-11-16",
      "2026-11-22",
    ]);
    const result = await report({ start: "2026-11-02", end: "2026-11-22", aggregate: "week" });
    expect(result.rows).toEqual([
      {
        label: "2026-W45",
        start: "2026-11-02",
        end: "2026-11-08",
        users: 2,
        logins: 4,
        partial: false,
        new_users: 2,
        returning_users: 0,
      },
      {
        label: "2026-W46",
        start: "2026-11-09",
        end: "2026-11-15",
        users: 0,
        logins: 0,
        partial: false,
        new_users: 0,
        returning_users: 0,
      },
      {
        label: "2026-W47",
        start: "2026-11-16",
        end: "2026-11-22",
        users: 2,
        logins: 2,
        partial: false,
        new_users: 1,
        returning_users: 1,
      },
    ]);
    expect(result.total).toEqual({ users: 3, logins: 6, new_users: 3, returning_users: 0 });
    expect(result.dataThrough).toBe("2026-11-22");
  });

  it("puts 2024-12-30 into 2025-W01 and includes the end day", async () => {
    await source.insertMany([
      login("alice", "2024-12-29T10:00:00Z"),
      login("bob", "2024-12-30T10:00:00Z"),
      login("carol", "2025-01-05T10:00:00Z"),
    ]);
    await condense(["2024-12-29", "2024-12-30", "2025-01-05"]);
    const result = await report({ start: "2024-12-29", end: "2025-01-05", aggregate: "W" });
    expect(result.rows.map((r) => [r.label, r.users, r.partial])).toEqual([
      ["2024-W52", 1, true],
      ["2025-W01", 2, false],
    ]);
  });

  it("marks partial first and last periods and counts only days inside the range", async () => {
    await source.insertMany([
      login("alice", "2026-01-10T10:00:00Z"),
      login("bob", "2026-01-20T10:00:00Z"),
      login("carol", "2026-03-10T10:00:00Z"),
      login("dave", "2026-03-20T10:00:00Z"),
    ]);
    await condense(["2026-01-10", "2026-01-20", "2026-03-10", "2026-03-20"]);
    const result = await report({ start: "2026-01-15", end: "2026-03-15", aggregate: "m" });
    expect(result.rows).toEqual([
      {
        label: "2026-01",
        start: "2026-01-01",
        end: "2026-01-31",
        users: 1,
        logins: 1,
        partial: true,
        new_users: 1,
        returning_users: 0,
      },
      {
        label: "2026-02",
        start: "2026-02-01",
        end: "2026-02-28",
        users: 0,
        logins: 0,
        partial: false,
        new_users: 0,
        returning_users: 0,
      },
      {
        label: "2026-03",
        start: "2026-03-01",
        end: "2026-03-31",
        users: 1,
        logins: 1,
        partial: true,
        new_users: 1,
        returning_users: 0,
      },
    ]);
    expect(result.total.users).toBe(2);
  });

  it("labels quarters and years and flags the running period partial", async () => {
    await source.insertMany([login("alice", "2025-05-10T10:00:00Z"), login("bob", "2026-11-20T10:00:00Z")]);
    await condense(["2025-05-10", "2026-11-20"]);
    const quarters = await report({ start: "2025-04-01", end: "2026-12-31", aggregate: "quarter" });
    expect(quarters.rows.map((r) => [r.label, r.users, r.partial])).toEqual([
      ["2025-Q2", 1, false],
      ["2025-Q3", 0, false],
      ["2025-Q4", 0, false],
      ["2026-Q1", 0, false],
      ["2026-Q2", 0, false],
      ["2026-Q3", 0, false],
      ["2026-Q4", 1, true],
    ]);
    const years = await report({ start: "2025-01-01", end: "2026-11-28", aggregate: "Y" });
    expect(years.rows.map((r) => [r.label, r.users, r.partial])).toEqual([
      ["2025", 1, false],
      ["2026", 1, true],
    ]);
  });

  it("starts weeks on Sunday when configured and labels them by that day", async () => {
    await source.insertMany([login("alice", "2026-11-22T10:00:00Z"), login("bob", "2026-11-21T10:00:00Z")]);
    await condense(["2026-11-21", "2026-11-22"]);
    const result = await report(
      { start: "2026-11-15", end: "2026-11-28", aggregate: "w" },
      { weekStartsOn: "sunday" },
    );
    expect(result.rows.map((r) => [r.label, r.start, r.end, r.users])).toEqual([
      ["2026-11-15", "2026-11-15", "2026-11-21", 1],
      ["2026-11-22", "2026-11-22", "2026-11-28", 1],
    ]);
  });

  it("leaves out excluded users, also ones condensed before they were excluded", async () => {
    await source.insertMany([login("alice", "2026-11-02T10:00:00Z"), login("robot", "2026-11-02T10:00:00Z")]);
    await condense(["2026-11-02"]);
    const before = await report({ start: "2026-11-02", end: "2026-11-02", aggregate: "d" });
    expect(before.rows[0]?.users).toBe(2);
    const after = await report(
      { start: "2026-11-02", end: "2026-11-02", aggregate: "d" },
      { exclude: ["admin", "robot"] },
    );
    expect(after.rows[0]?.users).toBe(1);
    expect(after.total.users).toBe(1);
  });
});
