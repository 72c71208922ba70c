import {
  type Config,
  type JobLogger,
  JobRunError,
  type JobRuntime,
  loadConfig,
  MongoRegistry,
  runInline,
} from "core4ts";
import { type Collection, type Document, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { condenseDay } from "../../plugins/usage/condense-day.js";
import usage, {
  AggregateLogins,
  generateSampleLogins,
  type LoginDoc,
  parseReportArgs,
  queryReport,
} from "../../plugins/usage/index.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import type { PeriodCountDoc, PeriodUserDoc } from "../../plugins/usage/rollups.js";
import { testMongoUri, uniqueName } from "../support/services.js";

/** A logger that keeps records and can react to them (to kill a run at a chosen point). */
class RecordingLogger implements JobLogger {
  constructor(
    private readonly onRecord: (message: string, extra: Record<string, unknown>) => void = () => {},
  ) {}
  trace(): void {}
  // Inline runs log each progress write at debug.
  debug(message: string, extra: Record<string, unknown> = {}): void {
    this.onRecord(message, extra);
  }
  info(message: string, extra: Record<string, unknown> = {}): void {
    this.onRecord(message, extra);
  }
  warn(message: string, extra: Record<string, unknown> = {}): void {
    this.onRecord(message, extra);
  }
  error(message: string, extra: Record<string, unknown> = {}): void {
    this.onRecord(message, extra);
  }
  child(): JobLogger {
    return this;
  }
}

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

/** A runtime of its own databases: sys in `<prefix>_sys`, source log there, target in `<prefix>_usage`. */
function runtimeFor(
  prefix: string,
  logger: JobLogger = new RecordingLogger(),
  usageConfig: Document = {},
): JobRuntime {
  const config: Config = loadConfig({
    sections: { usage: usage.config as NonNullable<typeof usage.config> },
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase: `${prefix}_sys` },
      usage: {
        sysLog: `${prefix}_sys/sys.log`,
        login: `${prefix}_usage/login`,
        start: "2026-01-01",
        ...usageConfig,
      },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase: `${prefix}_sys` });
  registries.push(mongo);
  return { config, mongo, logger, plugins: [usage] };
}

function targetOf(prefix: string): Collection<LoginDoc> {
  return client.db(`${prefix}_usage`).collection<LoginDoc>("login");
}

/** The target's and rollups' content without per-run provenance: what a clean run must reproduce exactly. */
async function content(prefix: string): Promise<Document[]> {
  const db = client.db(`${prefix}_usage`);
  const projection = { _src: 0, _job_id: 0 };
  return [
    ...(await targetOf(prefix)
      .find({}, { projection: { ...projection, _id: 0 } })
      .sort({ day: 1, user: 1 })
      .toArray()),
    ...(await db
      .collection("login.period_users")
      .find({}, { projection: { ...projection, _id: 0 } })
      .sort({ unit: 1, start: 1, user: 1 })
      .toArray()),
    ...(await db.collection("login.period_counts").find({}, { projection }).sort({ _id: 1 }).toArray()),
    ...(await db.collection("login.first_seen").find({}, { projection }).sort({ _id: 1 }).toArray()),
  ];
}

async function seed(prefix: string): Promise<void> {
  const logs = generateSampleLogins({ users: 25, days: 12, end: "2026-01-12" });
  logs.push({ ...(logs[0] as (typeof logs)[number]), user: "admin" });
  await client.db(`${prefix}_sys`).collection("sys.log").insertMany(logs);
}

describe("usage.AggregateLogins", () => {
  it("is registered by the plugin with its daily schedule", () => {
    expect(usage.name).toBe("usage");
    expect(usage.jobs).toContain(AggregateLogins);
    expect(AggregateLogins.jobName).toBe("usage.AggregateLogins");
    expect(AggregateLogins.schedule).toBe("30 1 * * *");
    expect(typeof usage.routes).toBe("function");
  });

  it("condenses day by day, tags sources, advances the cookie and resumes from it", async () => {
    const prefix = uniqueName("agg");
    await seed(prefix);
    const runtime = runtimeFor(prefix);
    const record = await runInline(runtime, AggregateLogins, { start: "2026-01-01", end: "2026-01-05" });
    expect(record.state).toBe("complete");
    expect(record.sources).toEqual(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04", "2026-01-05"]);
    const cookie = await client
      .db(`${prefix}_sys`)
      .collection("sys.cookie")
      .findOne({ _id: "usage.AggregateLogins" as never });
    expect(cookie?.offset).toBe("2026-01-05");
    const docs = await client.db(`${prefix}_usage`).collection("login").find().toArray();
    expect(docs.length).toBeGreaterThan(0);
    expect(docs.every((d) => d._src !== undefined && d._job_id === record.id)).toBe(true);
    expect(docs.some((d) => d.user === "admin")).toBe(false);

    // Without start it resumes at the offset, which is processed again.
    const resumed = await runInline(runtime, AggregateLogins, { end: "2026-01-08" });
    expect(resumed.sources).toEqual(["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"]);
    const reset = await runInline(runtime, AggregateLogins, { end: "2026-01-02", reset: true });
    expect(reset.sources).toEqual(["2026-01-01", "2026-01-02"]);
  });

  it("refuses an end before start or after today", async () => {
    const runtime = runtimeFor(uniqueName("agg"));
    await expect(
      runInline(runtime, AggregateLogins, { start: "2026-01-05", end: "2026-01-01" }),
    ).rejects.toThrow(/end 2026-01-01 is before start 2026-01-05/);
    await expect(
      runInline(runtime, AggregateLogins, { start: "2026-01-05", end: "2999-01-01" }),
    ).rejects.toThrow(/after today/);
    await expect(runInline(runtime, AggregateLogins, { start: "soon" })).rejects.toThrow(/start/);
  });

  it("killed after any day and run again, leaves what one clean run leaves", async () => {
    const clean = uniqueName("clean");
    await seed(clean);
    await runInline(runtimeFor(clean), AggregateLogins, { start: "2026-01-01", end: "2026-01-12" });
    const expected = await content(clean);
    expect(expected.length).toBeGreaterThan(20);

    for (const killAfter of [1, 6, 11]) {
      const prefix = uniqueName("killed");
      await seed(prefix);
      const kill = new AbortController();
      let days = 0;
      const logger = new RecordingLogger((message) => {
        if (message === "progress" && ++days === killAfter) kill.abort();
      });
      const killed = runInline(
        runtimeFor(prefix, logger),
        AggregateLogins,
        { start: "2026-01-01", end: "2026-01-12" },
        {
          signal: kill.signal,
          progressInterval: 0,
        },
      );
      await expect(killed).rejects.toSatisfy((e) => e instanceof JobRunError && e.state === "killed");
      expect(await content(prefix)).not.toEqual(expected);
      await runInline(runtimeFor(prefix), AggregateLogins, { end: "2026-01-12" });
      expect(await content(prefix)).toEqual(expected);
    }
  }, 120_000);
});

describe("period rollups", () => {
  it("give the same report as counting the day documents", async () => {
    const prefix = uniqueName("roll");
    const logs = generateSampleLogins({ users: 30, days: 130, end: "2025-03-10" });
    await client.db(`${prefix}_sys`).collection("sys.log").insertMany(logs);
    const runtime = runtimeFor(prefix);
    // Two runs, the second resuming, as the daily schedule would.
    await runInline(runtime, AggregateLogins, { start: "2024-11-01", end: "2024-12-30" });
    await runInline(runtime, AggregateLogins, { end: "2025-03-10" });
    const db = client.db(`${prefix}_usage`);
    const rollups = {
      periodUsers: db.collection<PeriodUserDoc>("login.period_users"),
      periodCounts: db.collection<PeriodCountDoc>("login.period_counts"),
    };
    const context = { timezone: "UTC", maxRangeDays: 3660, now: new Date("2025-03-10T12:00:00Z") };
    const ranges = [
      ["2024-11-01", "2025-03-10"],
      ["2024-11-05", "2025-02-27"],
      ["2024-10-01", "2024-12-31"],
      ["2024-11-17", "2024-11-17"],
      ["2024-12-30", "2025-01-05"],
    ];
    let compared = 0;
    for (const [start, end] of ranges) {
      for (const aggregate of ["d", "w", "m", "q", "y"]) {
        for (const weekStartsOn of ["monday", "sunday"] as const) {
          const range = parseReportArgs({ start, end, aggregate }, context);
          const options = { timezone: "UTC", weekStartsOn, exclude: ["admin"], dataThrough: null };
          const fromDays = await queryReport(targetOf(prefix), range, options);
          const fromRollups = await queryReport(targetOf(prefix), range, { ...options, rollups });
          expect(fromRollups, `${start}..${end} ${aggregate} ${weekStartsOn}`).toEqual(fromDays);
          compared += fromDays.total.users > 0 ? 1 : 0;
        }
      }
    }
    expect(compared).toBeGreaterThan(40);
    // With other exclusions than the rollups were built with, the report still counts right (from the days).
    const range = parseReportArgs({ start: "2024-11-01", end: "2025-02-28", aggregate: "m" }, context);
    const options = {
      timezone: "UTC",
      weekStartsOn: "monday" as const,
      exclude: ["admin", "user001"],
      dataThrough: null,
    };
    expect(await queryReport(targetOf(prefix), range, { ...options, rollups })).toEqual(
      await queryReport(targetOf(prefix), range, options),
    );
  }, 120_000);
});

describe("condenseDay killed mid-write", () => {
  it("rerun after a failure at any write leaves what one clean run leaves", async () => {
    const db = client.db(uniqueName("midday"));
    const source = db.collection("sys.log");
    await source.insertMany(generateSampleLogins({ users: 30, days: 1, end: "2026-01-05" }));
    const options = { timezone: "UTC", exclude: ["admin"], batchSize: 4 };
    const clean = db.collection<LoginDoc>("clean");
    await ensureTargetIndexes(clean);
    // A stale user from an earlier state of the source, to be removed by the rerun.
    await clean.insertOne({
      day: new Date("2026-01-05T00:00:00Z"),
      user: "ghost",
      logins: 1,
      first: new Date(),
      last: new Date(),
    });
    await condenseDay(source, clean, "2026-01-05", options);
    const expected = await clean
      .find({}, { projection: { _id: 0 } })
      .sort({ user: 1 })
      .toArray();

    for (let failAt = 0; failAt < 9; failAt++) {
      const target = db.collection<LoginDoc>(`t${failAt}`);
      await ensureTargetIndexes(target);
      await target.insertOne({
        day: new Date("2026-01-05T00:00:00Z"),
        user: "ghost",
        logins: 1,
        first: new Date(),
        last: new Date(),
      });
      let writes = 0;
      const failing = new Proxy(target, {
        get(t, property, receiver) {
          const value = Reflect.get(t, property, receiver);
          if (property !== "bulkWrite" && property !== "deleteMany")
            return typeof value === "function" ? value.bind(t) : value;
          return (...args: unknown[]) => {
            if (writes++ === failAt) throw new Error("killed");
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        },
      });
      await condenseDay(source, failing, "2026-01-05", options).catch(() => undefined);
      await condenseDay(source, target, "2026-01-05", options);
      expect(
        await target
          .find({}, { projection: { _id: 0 } })
          .sort({ user: 1 })
          .toArray(),
      ).toEqual(expected);
    }
  });
});
