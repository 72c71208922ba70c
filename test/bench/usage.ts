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
import { escapeHtml } from "../../plugins/usage/page/escape-html.js";

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

  const context = { timezone: "UTC", maxRangeDays: 3660, now: new Date(`${REPORT_END}T12:00:00Z`) };
  const options = {
    timezone: "UTC",
    weekStartsOn: "monday" as const,
    exclude: ["admin"],
    dataThrough: REPORT_END,
  };
  const long = parseReportArgs(
    { start: addDays(REPORT_END, -(days - 1)), end: REPORT_END, aggregate: "week" },
    context,
  );
  const short = parseReportArgs({ end: REPORT_END, aggregate: "week" }, context);
  const longMs = await median(() => queryReport(target, long, options), 7);
  const shortMs = await median(() => queryReport(target, short, options), 7);
  line("weekly report, 5 years", longMs, "weekly report, 90 days", shortMs);
}

/** The baseline: the same points and tooltips written as a string template. */
function templateChart(rows: readonly ReportRow[], width = 800, height = 320): string {
  const top = Math.max(1, ...rows.map((r) => r.users));
  const step = (width - 72) / Math.max(1, rows.length);
  const points = rows.map((r, i) => {
    const x = 52 + step * (i + 0.5);
    const y = 40 + (height - 84) * (1 - r.users / top);
    return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3"><title>${escapeHtml(`${r.label}: ${r.users} users`)}</title></circle>`;
  });
  const path = rows
    .map(
      (r, i) =>
        `${i ? "L" : "M"}${(52 + step * (i + 0.5)).toFixed(1)},${(40 + (height - 84) * (1 - r.users / top)).toFixed(1)}`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img"><title>t</title><path d="${path}" fill="none" stroke="#2563eb"/>${points.join("")}</svg>`;
}

async function benchChart(): Promise<void> {
  const rng = seededRandom(3);
  for (const count of [100, 1000]) {
    const rows: ReportRow[] = enumeratePeriods("2000-01-01", "2030-01-01", "day")
      .slice(0, count)
      .map((p, i) => ({ ...p, users: Math.floor(rng() * 200), logins: 0, partial: i === count - 1 }));
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
