/**
 * HTTP benchmark of the API server: autocannon with 50 connections against `health` (public: MongoDB and
 * Redis pings) and an authenticated JSON route (token check + role lookup + envelope + access log), each
 * against a bare Koa app serving the same JSON in the same run, in alternating paired rounds. Prints
 * requests/s and p99 latency as ratios to the bare app (medians of the rounds), a met / not met line per target (health >= 0.8x, authenticated JSON >= 0.6x req/s,
 * its p99 <= 3x), and exits 1 if any request failed. Also the CPU time of this process per request, which
 * is steadier than req/s on a loaded machine, and that of the MongoDB and Redis processes. Run with
 * `npm run bench:http` (`BENCH_DURATION` seconds per run, `BENCH_ROUNDS`, `BENCH_SUBJECTS=json`,
 * `BENCH_ACCESS_LOG=off` to see the access log's share). `BENCH_CPU_PROFILE=<folder>` writes a
 * `.cpuprofile` of each subject's last run (the server runs in this process; open it in Chrome DevTools)
 * and, in `mongo/`, profiles of the MongoDB process over the whole run.
 *
 * Starts its own in-memory embedded MongoDB server (as a child process, as `coco serve` runs it), and a
 * redis-server from PATH unless CORE4_REDIS_URL is set.
 */
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { Session } from "node:inspector/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Koa from "koa";
import { loadConfig } from "../../framework/config/index.js";
import { createLogger, MongoLogSink } from "../../framework/log/index.js";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { defineRoutes, type PluginRoutes, reply, startServer } from "../../server/index.js";
import { redisFromEnvOrStart, startMongoProcess } from "../support/service-processes.js";
import { cpuPerUnit, cpuSnapshot } from "./process-cpu.js";
import { median } from "./stats.js";

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
/**
 * Paired rounds per subject (`BENCH_ROUNDS`): bare Koa and the subject alternate, the order flipping each
 * round, and the ratios are the medians of the rounds. One pair of runs swings by ±15 % on a shared
 * machine; the median of five does not.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** `BENCH_ACCESS_LOG=off` measures without the access log (to see its share; the targets need it on). */
const ACCESS_LOG = process.env.BENCH_ACCESS_LOG === "off" ? "off" : "info";
/** `BENCH_SUBJECTS=health,json` runs only some subjects (names: health, public, json). */
const SUBJECTS = (process.env.BENCH_SUBJECTS ?? "health,public,json").split(",");
/** `BENCH_CPU_PROFILE=<folder>` writes a CPU profile of each subject's run there. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE;
const PAYLOAD = { users: 42, logins: 1234, period: "2026-W48", partial: false };

/** The part of autocannon's result this bench reads. */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Added by this bench: CPU time of this process (server and client) per request, in µs. */
  cpuPerRequest?: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  headers?: Record<string, string>;
}) => Promise<CannonResult>;

// autocannon ships no types; load it through require with the shape used here.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Processes whose CPU time is reported beside this one's (the MongoDB and Redis servers). */
let servicePids: Record<string, number | undefined> = {};

async function run(
  name: string,
  url: string,
  headers: Record<string, string> = {},
  profile?: string,
): Promise<CannonResult> {
  const session = profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const before = cpuSnapshot(servicePids);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  // CPU time per request of this process (server and client) and of each service: steadier than req/s on
  // a loaded machine.
  const cpu = cpuPerUnit(before, cpuSnapshot(servicePids), Math.max(result.requests.total, 1));
  if (session && profile && PROFILE_DIR) {
    const { profile: taken } = await session.post("Profiler.stop");
    session.disconnect();
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${profile}.cpuprofile`), JSON.stringify(taken));
  }
  const services = Object.entries(cpu)
    .filter(([process]) => process !== "bench")
    .map(([process, micros]) => `${process} ${micros.toFixed(0)}`)
    .join(", ");
  console.log(
    `${name.padEnd(30)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(result.latency.p99).padStart(4)} ms   ${(cpu.bench ?? 0).toFixed(0).padStart(4)} µs CPU/req (${services})   errors ${result.errors + result.timeouts}   non-2xx ${result.non2xx}`,
  );
  result.cpuPerRequest = cpu.bench ?? 0;
  return result;
}

/** The ratios of one subject to bare Koa: the median over the rounds, each round's beside it. */
function ratio(name: string, pairs: readonly [CannonResult, CannonResult][]): { rps: number; p99: number } {
  const rpsRounds = pairs.map(
    ([subject, bare]) => subject.requests.average / Math.max(bare.requests.average, 1),
  );
  const p99Rounds = pairs.map(([subject, bare]) => subject.latency.p99 / Math.max(bare.latency.p99, 1));
  const cpuRounds = pairs.map(
    ([subject, bare]) => (bare.cpuPerRequest ?? 0) / Math.max(subject.cpuPerRequest ?? 1, 1),
  );
  const rps = median(rpsRounds);
  const p99 = median(p99Rounds);
  const shown = (values: number[]) => values.map((v) => v.toFixed(2)).join(" ");
  console.log(
    `${name.padEnd(30)} req/s ${rps.toFixed(2)}x bare Koa (${shown(rpsRounds)})   p99 ${p99.toFixed(2)}x (${shown(p99Rounds)})`,
  );
  // Requests per CPU second of this process: what req/s would be with the client's share equal.
  console.log(
    `${"".padEnd(30)} requests per CPU second ${median(cpuRounds).toFixed(2)}x bare Koa (${shown(cpuRounds)})`,
  );
  return { rps, p99 };
}

/** The targets (issue 18), each a ratio against bare Koa in this run: which subject, what, the bound. */
const TARGETS = [
  { subject: "health", what: "health req/s", measure: "rps", bound: 0.8, atLeast: true },
  { subject: "json", what: "authenticated JSON (Bearer) req/s", measure: "rps", bound: 0.6, atLeast: true },
  { subject: "json", what: "authenticated JSON (Bearer) p99", measure: "p99", bound: 3, atLeast: false },
] as const;

async function main(): Promise<void> {
  // With a profile folder, the MongoDB process writes its profiles into mongo/ there when it stops (the
  // whole run; the largest file is its main thread, the others are the loader's threads).
  const mongoServer = await startMongoProcess(
    PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${join(PROFILE_DIR, "mongo")}`] : [],
  );
  const redis = await redisFromEnvOrStart();
  servicePids = { mongo: mongoServer.pid, redis: redis.pid };
  const home = mkdtempSync(join(tmpdir(), "core4ts-bench-http-"));

  const config = loadConfig({
    env: {},
    overrides: {
      home,
      mongodb: { uri: mongoServer.url },
      redis: { url: redis.url },
      log: { level: "silent", mongoLevel: "info" },
      server: {
        adminPassword: "bench-admin-password",
        secret: "bench-secret-0123456789abcdef",
        accessLog: ACCESS_LOG,
      },
    },
  });
  const mongo = new MongoRegistry({ uri: mongoServer.url, sysDatabase: "core4" });
  const sink = new MongoLogSink({ collection: () => mongo.sys("log") });
  const logger = createLogger({ level: "silent", mongoLevel: "info", sink });
  const runtime = { config, mongo, logger, redisUrl: redis.url };
  const bench = definePlugin<PluginRoutes>({
    name: "bench",
    routes: defineRoutes((router) => {
      router.get("/bench/json", (ctx) => reply(ctx, PAYLOAD));
      router.get("/bench/public", (ctx) => reply(ctx, PAYLOAD), { public: true });
    }),
  });
  const api = await startServer(runtime, { port: 0, plugins: [bench], env: { NODE_ENV: "production" } });

  const bare = new Koa();
  bare.use((ctx) => {
    ctx.body = { _id: "x", code: 200, message: "OK", timestamp: new Date().toISOString(), data: PAYLOAD };
  });
  const bareServer = createServer(bare.callback());
  const bareUrl = await listen(bareServer);

  const login = await fetch(`${api.url}/core4/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: "bench-admin-password" }),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const auth = { authorization: `Bearer ${token}` };

  console.log(
    `autocannon: ${CONNECTIONS} connections, ${DURATION_S} s per run, ${ROUNDS} paired rounds per subject\n`,
  );
  // Each subject runs beside its own baseline, alternating: on a shared machine the load drifts between
  // runs, and adjacent pairs keep that drift out of the ratios.
  const subjects = (
    [
      ["health", "GET /core4/api/v1/health", `${api.url}/core4/api/v1/health`, {}],
      ["public", "GET /bench/public (no auth)", `${api.url}/bench/public`, {}],
      ["json", "GET /bench/json (Bearer)", `${api.url}/bench/json`, auth],
    ] as [string, string, string, Record<string, string>][]
  )
    .filter(([key]) => SUBJECTS.includes(key))
    .sort(([a], [b]) => SUBJECTS.indexOf(a) - SUBJECTS.indexOf(b));
  // Warm up JIT and connection pools on every path measured, so the first measured run is not penalised.
  for (const [, , url, headers] of subjects) {
    await autocannon({ url, connections: 10, duration: 1, headers });
  }
  await autocannon({ url: `${bareUrl}/`, connections: 10, duration: 1 });

  const results: CannonResult[] = [];
  // Rounds outside, subjects inside: every subject samples the same drift of the machine (and of the
  // growing sys.log) instead of the first subject having the quiet start to itself.
  const pairsOf = new Map<string, [CannonResult, CannonResult][]>(subjects.map(([key]) => [key, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, name, url, headers] of subjects) {
      // Only the last round is profiled (the JIT has settled by then).
      const profile = PROFILE_DIR && round === ROUNDS - 1;
      const bare = () =>
        run("  bare Koa (same JSON)", `${bareUrl}/`, {}, profile ? `bare-${key}` : undefined);
      const subject = () => run(name, url, headers, profile ? key : undefined);
      const [first, second] = round % 2 === 0 ? [bare, subject] : [subject, bare];
      const a = await first();
      const b = await second();
      pairsOf.get(key)?.push(round % 2 === 0 ? [b, a] : [a, b]);
      results.push(a, b);
    }
  }
  const ratios = subjects.map(([key, name]) => [key, name, pairsOf.get(key) ?? []] as const);
  console.log("");
  const measured = new Map<string, { rps: number; p99: number }>();
  for (const [key, name, pairs] of ratios) measured.set(key, ratio(name, pairs));
  console.log("\ntargets:");
  for (const target of TARGETS) {
    const value = measured.get(target.subject)?.[target.measure];
    const bound = `${target.atLeast ? ">=" : "<="} ${target.bound}x bare Koa`;
    const verdict =
      value === undefined
        ? "not measured"
        : (target.atLeast ? value >= target.bound : value <= target.bound)
          ? "met"
          : "NOT MET";
    const shown = value === undefined ? "-" : `${value.toFixed(2)}x`;
    console.log(`  ${`${target.what} ${bound}`.padEnd(52)} ${shown.padStart(6)}   ${verdict}`);
  }

  await api.close();
  await new Promise((resolve) => bareServer.close(resolve));
  await logger.flush();
  console.log(
    `\naccess-log records written to sys.log: ${sink.stats.written}, dropped: ${sink.stats.dropped}`,
  );
  await sink.close();
  await mongo.close();
  await mongoServer.stop();
  await redis.stop();
  rmSync(home, { recursive: true, force: true });

  const failed = results.filter((r) => r.errors + r.timeouts + r.non2xx > 0);
  if (failed.length > 0) {
    console.error(`FAIL: ${failed.length} run(s) had errors, timeouts or non-2xx replies`);
    process.exit(1);
  }
  console.log("OK: zero errors");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
