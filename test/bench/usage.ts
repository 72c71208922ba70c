/**
 * Benchmark of the usage plugin. Every figure is a ratio against a baseline measured in the same run, and
 * each target prints "met" or "not met":
 *   1. the weekly report over 5 years against the one over 90 days (target: at most 1.5x);
 *   2. the AggregateLogins job over USAGE_BENCH_EVENTS login events (default 1e6) against reading the same
 *      events once with a bare driver cursor (target: at most 2x);
 *   3. a repeated identical chart request (a cache hit: tag check, no rendering) against a static string
 *      reply of the same bytes through the same server with the same login (target: at most 2x the time
 *      per request; the ratio against a 40-byte string is printed for information);
 *   4. `/usage/active/raw` over 365 days against `/usage/login/raw` weekly over the same range, both through
 *      the server (target: at most 3x).
 * Also, for information: SVG rendering (D3 into jsdom) against a string template.
 * MongoDB is the embedded server in its own process (as `coco` runs it), or CORE4_MONGODB_URI when it is a
 * mongodb:// URI. Run with `npm run bench:usage`; `USAGE_BENCH_EVENTS=100000` for a quick run.
 */

import { createRequire } from "node:module";
import { type JobLogger, type JobRuntime, loadConfig, MongoRegistry, runInline } from "core4ts";
import { type Document, MongoClient } from "mongodb";
import { createLogger } from "../../framework/log/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { addDays, dayToDate } from "../../plugins/usage/calendar-day.js";
import { rebuildFirstSeen } from "../../plugins/usage/first-seen.js";
import usage, {
  AggregateLogins,
  type LoginDoc,
  parseReportArgs,
  queryReport,
  type ReportRow,
  renderChart,
} from "../../plugins/usage/index.js";
import { ensureTargetIndexes } from "../../plugins/usage/indexes.js";
import { enumeratePeriods } from "../../plugins/usage/periods.js";
import {
  ensureRollupIndexes,
  type FirstSeenDoc,
  type PeriodCountDoc,
  type PeriodUserDoc,
  type Rollups,
  refreshPeriod,
  writeRollupMeta,
} from "../../plugins/usage/rollups.js";
import { seededRandom } from "../../plugins/usage/sample-logins.js";
import { defineRoutes, escapeHtml, type PluginRoutes, startServer } from "../../server/index.js";
import { startMongoProcess } from "../support/service-processes.js";

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

/** Median milliseconds of `a` and of `b` over `runs` alternated calls each, after two warm-up calls each. */
async function pairedMedians(
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  runs: number,
): Promise<[number, number]> {
  for (let i = 0; i < 2; i++) {
    await a();
    await b();
  }
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    times[0].push((await timed(a)).ms);
    times[1].push((await timed(b)).ms);
  }
  const mid = (list: number[]) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)] as number;
  return [mid(times[0]), mid(times[1])];
}

function line(name: string, ms: number, baselineName: string, baseline: number): number {
  const ratio = ms / Math.max(baseline, 0.001);
  console.log(
    `${name.padEnd(38)} ${ms.toFixed(2).padStart(9)} ms   ${baselineName.padEnd(30)} ${baseline.toFixed(2).padStart(9)} ms   ratio ${ratio.toFixed(2)}x`,
  );
  return ratio;
}

/** The targets of this run: name, measured ratio, the most allowed. */
const targets: Array<{ name: string; ratio: number; max: number }> = [];

function goal(name: string, ratio: number, max: number): void {
  targets.push({ name, ratio, max });
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
  goal("job <= 2x a bare cursor read", line("job over the events", job.ms, "bare cursor read", cursor.ms), 2);
}

async function benchReport(client: MongoClient): Promise<string> {
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
    firstSeen: db.collection<FirstSeenDoc>("login.first_seen"),
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
      for (const period of enumeratePeriods(firstDay, REPORT_END, aggregate)) {
        await refreshPeriod(target, rollups, unit, period.start);
      }
    }
    await rebuildFirstSeen(target, rollups.firstSeen as NonNullable<Rollups["firstSeen"]>);
    await writeRollupMeta(rollups, ["admin"], true);
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
  // Alternated, so both see the same machine (load, GC) rather than one block after the other.
  const [longMs, shortMs] = await pairedMedians(
    () => queryReport(target, long, { ...options, rollups }),
    () => queryReport(target, short, { ...options, rollups }),
    15,
  );
  goal(
    "5-year weekly report <= 1.5x the 90-day one",
    line("weekly report, 5 years (rollups)", longMs, "weekly report, 90 days", shortMs),
    1.5,
  );
  const longDays = await median(() => queryReport(target, long, options), 3);
  const shortDays = await median(() => queryReport(target, short, options), 3);
  line("  same from day documents only", longDays, "weekly report, 90 days", shortDays);
  return firstDay;
}

// autocannon ships no types; loaded through require with the shape used here.
interface CannonResult {
  requests: { average: number; total: number };
  latency: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)("autocannon") as (options: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  headers?: Record<string, string>;
}) => Promise<CannonResult>;

const HTTP_SECONDS = Number(process.env.USAGE_BENCH_HTTP_SECONDS ?? 4);

/** Mean milliseconds per request (autocannon's mean latency) over a short run, or a fixed number of requests. */
async function perRequest(
  url: string,
  headers: Record<string, string>,
  connections: number,
  amount?: number,
): Promise<number> {
  const result = await autocannon(
    amount === undefined
      ? { url, connections, duration: HTTP_SECONDS, headers }
      : { url, connections, amount, headers },
  );
  if (result.errors + result.timeouts + result.non2xx > 0 || result.requests.total === 0) {
    throw new Error(`${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
  return result.latency.average;
}

/** Targets 3 and 4 through a real server over the report data (usage plugin + a static route, one login). */
async function benchServer(uri: string, firstDay: string): Promise<void> {
  const sysDatabase = "bench_usage_http_sys";
  const config = loadConfig({
    sections: { usage: usage.config as NonNullable<typeof usage.config> },
    env: {},
    overrides: {
      mongodb: { uri, sysDatabase },
      log: { level: "silent", mongoLevel: "silent" },
      server: {
        adminPassword: "bench-admin-password",
        secret: "bench-secret-0123456789abcdef",
        accessLog: "off",
      },
      usage: { login: "bench_usage_report/login" },
    },
  });
  const mongo = new MongoRegistry({ uri, sysDatabase });
  await mongo
    .sys<{ _id: string; offset: string; last_runtime: Date }>("cookie")
    .replaceOne(
      { _id: "usage.AggregateLogins" },
      { offset: REPORT_END, last_runtime: new Date() },
      { upsert: true },
    );
  const logger = createLogger({ level: "silent" });
  const TINY = "<svg xmlns='http://www.w3.org/2000/svg'/>";
  // Target 3's baseline serves the very bytes of the cached chart as a static string, so the ratio is the
  // price of the cache hit itself (tag, lookup), not of sending a 100 KB chart instead of 40 bytes.
  let STATIC = TINY;
  const bench = definePlugin<PluginRoutes>({
    name: "bench",
    routes: defineRoutes((router) => {
      router.get(
        "/bench/static",
        (ctx) => {
          ctx.type = "image/svg+xml";
          ctx.body = STATIC;
        },
        { perm: null },
      );
      router.get(
        "/bench/tiny",
        (ctx) => {
          ctx.type = "image/svg+xml";
          ctx.body = TINY;
        },
        { perm: null },
      );
    }),
  });
  const server = await startServer(
    { config, mongo, logger, redisUrl: undefined },
    { port: 0, plugins: [usage, bench], env: { NODE_ENV: "production" } },
  );
  try {
    const login = await fetch(`${server.url}/core4/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "admin", password: "bench-admin-password" }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const auth = { authorization: `Bearer ${token}` };
    const year = `start=${addDays(REPORT_END, -364)}&end=${REPORT_END}`;
    const chart = `${server.url}/usage/login/plot?start=${firstDay}&end=${REPORT_END}&aggregate=week`;
    const staticUrl = `${server.url}/bench/static`;
    // Warm up: JIT, connection pools, and the chart rendered once into the cache.
    await autocannon({ url: chart, connections: 2, duration: 1, headers: auth });
    STATIC = await (await fetch(chart, { headers: auth })).text();
    const tinyUrl = `${server.url}/bench/tiny`;
    await autocannon({ url: staticUrl, connections: 2, duration: 1, headers: auth });
    await autocannon({ url: tinyUrl, connections: 2, duration: 1, headers: auth });
    const staticMs = await perRequest(staticUrl, auth, 4);
    const chartMs = await perRequest(chart, auth, 4);
    const tinyMs = await perRequest(tinyUrl, auth, 4);
    goal(
      "cached chart <= 2x a static string reply",
      line(
        "chart request, cache hit (5y weekly)",
        chartMs,
        `same ${(STATIC.length / 1024).toFixed(0)} KB as a static string`,
        staticMs,
      ),
      2,
    );
    line("  for information: the same hit", chartMs, "a 40-byte static string", tinyMs);
    const weekly = `${server.url}/usage/login/raw?${year}&aggregate=week`;
    const active = `${server.url}/usage/active/raw?${year}`;
    await autocannon({ url: active, connections: 1, amount: 3, headers: auth });
    await autocannon({ url: weekly, connections: 1, amount: 3, headers: auth });
    const weeklyMs = await perRequest(weekly, auth, 1, 20);
    const activeMs = await perRequest(active, auth, 1, 20);
    goal(
      "/usage/active/raw 365 d <= 3x weekly raw",
      line("/usage/active/raw, 365 days", activeMs, "/usage/login/raw weekly, 365 d", weeklyMs),
      3,
    );
  } finally {
    await server.close();
    await mongo.close();
  }
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
  const embedded = given?.startsWith("mongodb") ? undefined : await startMongoProcess();
  const uri = embedded?.url ?? (given as string);
  const client = new MongoClient(uri);
  await client.connect();
  try {
    console.log(
      `usage benchmark against ${embedded ? "the embedded MongoDB (in memory, own process)" : "CORE4_MONGODB_URI"}`,
    );
    await benchChart();
    const firstDay = await benchReport(client);
    await benchServer(uri, firstDay);
    await benchJob(uri, client);
    console.log("\ntargets:");
    for (const t of targets) {
      console.log(
        `  ${t.name.padEnd(46)} ${t.ratio.toFixed(2).padStart(6)}x   ${t.ratio <= t.max ? "met" : "NOT MET"}`,
      );
    }
  } finally {
    await client.close();
    await embedded?.stop();
  }
}

await main();
