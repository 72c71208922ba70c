/**
 * Benchmark of the usage plugin, each figure a ratio against a baseline measured in the same run:
 *   1. the AggregateLogins job over USAGE_BENCH_EVENTS login events (default 1e6) against reading the same
 *      events once with a bare driver cursor (reading the input is the floor);
 *   2. the weekly report over 5 years against the weekly report over 90 days (target: below 3x);
 *   3. SVG chart rendering (D3 into the shared jsdom window) for 100 and 1000 points against a
 *      string-template baseline drawing the same points.
 * Runs against the embedded MongoDB (in memory), or CORE4_MONGODB_URI when it is a mongodb:// URI.
 * Run with `npm run bench:usage`; `USAGE_BENCH_EVENTS=100000 npm run bench:usage` for a quick run.
 */

import { type JobLogger, type JobRuntime, loadConfig, MongoRegistry, runInline } from "core4ts";
import { type Document, MongoClient } from "mongodb";
import { EmbeddedMongoServer } from "../../framework/embedded/mongo/index.js";
import { addDays, dayToDate } from "../../plugins/usage/calendar-day.js";
import usage, {
  AggregateLogins,
  enumeratePeriods,
  type LoginDoc,
  parseReportArgs,
  queryReport,
  type ReportRow,
  renderChart,
  seededRandom,
} from "../../plugins/usage/index.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import { enumeratePeriods as periodsOf } from "../../plugins/usage/periods.js";
import {
  ensureRollupIndexes,
  type PeriodCountDoc,
  type PeriodUserDoc,
  type Rollups,
  refreshPeriod,
  writeRollupMeta,
} from "../../plugins/usage/rollups.js";
import { escapeHtml } from "../../server/index.js";

const EVENTS = Number(process.env.USAGE_BENCH_EVENTS ?? 1_000_000);
const EVENT_DAYS = 10;
const EVENT_USERS = 20_000;
const REPORT_USERS = Number(process.env.USAGE_BENCH_REPORT_USERS ?? 200);
const REPORT_END = "2026-10-31";
const DAY_MS = 86_400_000;

const quiet: JobLogger = {
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => quiet,
};

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

/** Median milliseconds of `runs` calls after one warm-up call. */
async function median(fn: () => Promise<unknown> | unknown, runs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

function line(name: string, ms: number, baselineName: string, baseline: number): void {
  console.log(
    `${name.padEnd(34)} ${ms.toFixed(1).padStart(9)} ms   ${baselineName.padEnd(26)} ${baseline.toFixed(1).padStart(9)} ms   ratio ${(ms / Math.max(baseline, 0.001)).toFixed(2)}x`,
  );
}

async function benchJob(uri: string, client: MongoClient): Promise<void> {
  const sysDatabase = "bench_usage_sys";
  const source = client.db(sysDatabase).collection("sys.log");
  await client.db(sysDatabase).dropDatabase();
  await client.db("bench_usage").dropDatabase();
  const rng = seededRandom(7);
  const firstDay = "2026-01-01";
  const start = dayToDate(firstDay).getTime();
  const insert = await timed(async () => {
    const batch: Document[] = [];
    for (let i = 0; i < EVENTS; i++) {
      batch.push({
        created: new Date(start + Math.floor(rng() * EVENT_DAYS * DAY_MS)),
        level: "INFO",
        levelno: 20,
        message: "successful login",
        name: "core4ts.server.login",
        user: `user${Math.floor(rng() ** 2 * EVENT_USERS)}`,
      });
      if (batch.length === 10_000 || i === EVENTS - 1)
        await source.insertMany(batch.splice(0), { ordered: false });
    }
    await source.createIndex({ message: 1, created: 1 });
  });
  console.log(
    `inserted ${EVENTS} login events over ${EVENT_DAYS} days in ${(insert.ms / 1000).toFixed(1)} s`,
  );

  const lastDay = addDays(firstDay, EVENT_DAYS - 1);
  const cursor = await timed(async () => {
    let n = 0;
    const filter = {
      message: "successful login",
      level: "INFO",
      created: { $gte: dayToDate(firstDay), $lt: dayToDate(addDays(lastDay, 1)) },
    };
    for await (const _ of source.find(filter).batchSize(10_000)) n++;
    return n;
  });

  const config = loadConfig({
    sections: { usage: usage.config as NonNullable<typeof usage.config> },
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase },
      usage: { sysLog: `${sysDatabase}/sys.log`, login: "bench_usage/login" },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  const runtime: JobRuntime = { config, mongo, logger: quiet, plugins: [usage] };
  const job = await timed(() => runInline(runtime, AggregateLogins, { start: firstDay, end: lastDay }));
  const condensed = await client.db("bench_usage").collection("login").countDocuments();
  await mongo.close();
  console.log(`job: ${cursor.result} events condensed to ${condensed} (day, user) documents`);
  line("job over the events", job.ms, "bare cursor read", cursor.ms);
}

async function benchReport(client: MongoClient): Promise<void> {
  const target = client.db("bench_usage_report").collection<LoginDoc>("login");
  await target.drop().catch(() => undefined);
  await ensureTargetIndexes(target);
  const rng = seededRandom(11);
  const days = 5 * 365 + 1;
  const habits = Array.from({ length: REPORT_USERS }, () => 0.05 + 0.8 * rng() ** 2);
  let batch: LoginDoc[] = [];
  let total = 0;
  for (let d = 0; d < days; d++) {
    const day = dayToDate(addDays(REPORT_END, -d));
    const weekday = day.getUTCDay();
    const factor = weekday === 0 || weekday === 6 ? 0.15 : 1;
    habits.forEach((habit, u) => {
      if (rng() >= habit * factor) return;
      const first = new Date(day.getTime() + 8 * 3_600_000);
      batch.push({ day, user: `user${u}`, logins: 1, first, last: first });
    });
    if (batch.length >= 10_000) {
      total += batch.length;
      await target.insertMany(batch, { ordered: false });
      batch = [];
    }
  }
  total += batch.length;
  if (batch.length) await target.insertMany(batch, { ordered: false });
  console.log(`report data: ${REPORT_USERS} users over 5 years, ${total} (day, user) documents`);

  // Rollups as the job builds them: weeks and months from days, quarters from months, years from quarters.
  const db = client.db("bench_usage_report");
  const rollups: Rollups = {
    periodUsers: db.collection<PeriodUserDoc>("login.period_users"),
    periodCounts: db.collection<PeriodCountDoc>("login.period_counts"),
  };
  await ensureRollupIndexes(rollups);
  const firstDay = addDays(REPORT_END, -(days - 1));
  const build = await timed(async () => {
    for (const [aggregate, unit] of [
      ["week", "week-monday"],
      ["month", "month"],
      ["quarter", "quarter"],
      ["year", "year"],
    ] as const) {
      for (const period of periodsOf(firstDay, REPORT_END, aggregate)) {
        await refreshPeriod(target, rollups, unit, period.start);
      }
    }
    await writeRollupMeta(rollups, ["admin"]);
  });
  console.log(`rollups built in ${(build.ms / 1000).toFixed(1)} s`);

  const context = { timezone: "UTC", maxRangeDays: 3660, now: new Date(`${REPORT_END}T12:00:00Z`) };
  const options = {
    timezone: "UTC",
    weekStartsOn: "monday" as const,
    exclude: ["admin"],
    dataThrough: REPORT_END,
  };
  const long = parseReportArgs({ start: firstDay, end: REPORT_END, aggregate: "week" }, context);
  const short = parseReportArgs({ end: REPORT_END, aggregate: "week" }, context);
  const longMs = await median(() => queryReport(target, long, { ...options, rollups }), 7);
  const shortMs = await median(() => queryReport(target, short, { ...options, rollups }), 7);
  line("weekly report, 5 years (rollups)", longMs, "weekly report, 90 days", shortMs);
  const longDays = await median(() => queryReport(target, long, options), 3);
  const shortDays = await median(() => queryReport(target, short, options), 3);
  line("  same from day documents only", longDays, "weekly report, 90 days", shortDays);
}

/** The baseline: the same picture (title, desc, grid, ticks, thinned labels, line, points with tooltips) as a string template. */
function templateChart(rows: readonly ReportRow[], width = 800, height = 320): string {
  const left = 52;
  const top = 40;
  const innerWidth = width - 72;
  const innerHeight = height - 84;
  const max = Math.max(1, ...rows.map((r) => r.users));
  const step = innerWidth / Math.max(1, rows.length);
  const x = (i: number) => left + step * (i + 0.5);
  const y = (v: number) => top + innerHeight * (1 - v / max);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * max));
  const labelEvery = Math.max(1, Math.ceil(80 / step));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img"><title>Distinct users</title><desc>${rows.length} periods</desc>`,
    ...ticks.map(
      (t) =>
        `<line x1="${left}" x2="${left + innerWidth}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e5e7eb"/><text x="${left - 9}" y="${y(t).toFixed(1)}" text-anchor="end">${t}</text>`,
    ),
    ...rows.map((r, i) =>
      i % labelEvery === 0
        ? `<text x="${x(i).toFixed(1)}" y="${height - 30}" text-anchor="middle">${escapeHtml(r.label)}</text>`
        : "",
    ),
    `<path d="${rows.map((r, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(r.users).toFixed(1)}`).join("")}" fill="none" stroke="#2563eb"/>`,
    ...rows.map(
      (r, i) =>
        `<circle cx="${x(i).toFixed(1)}" cy="${y(r.users).toFixed(1)}" r="3"><title>${escapeHtml(`${r.label} (${r.start} to ${r.end}): ${r.users} users, ${r.logins} logins`)}</title></circle>`,
    ),
    "</svg>",
  ];
  return parts.join("");
}

async function benchChart(): Promise<void> {
  const rng = seededRandom(3);
  for (const count of [100, 1000]) {
    const rows: ReportRow[] = enumeratePeriods("2000-01-01", addDays("2000-01-01", count - 1), "day").map(
      (p, i) => {
        const users = Math.floor(rng() * 200);
        return { ...p, users, logins: 0, partial: i === count - 1, new_users: 0, returning_users: users };
      },
    );
    const runs = count === 100 ? 50 : 15;
    const d3Ms = await median(() => renderChart(rows, { title: "Distinct users per day" }), runs);
    const templateMs = await median(() => templateChart(rows), runs);
    line(`SVG chart, ${count} points (D3+jsdom)`, d3Ms, "string template", templateMs);
  }
}

async function main(): Promise<void> {
  const given = process.env.CORE4_MONGODB_URI;
  const embedded = given?.startsWith("mongodb") ? undefined : new EmbeddedMongoServer();
  await embedded?.start();
  const uri = embedded?.uri ?? (given as string);
  const client = new MongoClient(uri);
  await client.connect();
  try {
    console.log(
      `usage benchmark against ${embedded ? "the embedded MongoDB (in memory)" : "CORE4_MONGODB_URI"}`,
    );
    await benchChart();
    await benchReport(client);
    await benchJob(uri, client);
  } finally {
    await client.close();
    await embedded?.stop();
  }
}

await main();
