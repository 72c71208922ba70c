/**
 * HTTP benchmark of the API server: autocannon with 50 connections against `health` (public: MongoDB and
 * Redis pings) and an authenticated JSON route (token check + role lookup + envelope + access log), each
 * against a bare Koa app serving the same JSON in the same run. Prints requests/s and p99 latency as
 * ratios to the bare app and exits 1 if any request failed. Run with `npm run bench:http`.
 *
 * Starts its own in-memory embedded MongoDB server (as a child process, as `coco serve` runs it), and a
 * redis-server from PATH unless CORE4_REDIS_URL is set.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
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

const CONNECTIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const PAYLOAD = { users: 42, logins: 1234, period: "2026-W48", partial: false };

/** The part of autocannon's result this bench reads. */
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
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

async function run(name: string, url: string, headers: Record<string, string> = {}): Promise<CannonResult> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers });
  console.log(
    `${name.padEnd(30)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(result.latency.p99).padStart(4)} ms   errors ${result.errors + result.timeouts}   non-2xx ${result.non2xx}`,
  );
  return result;
}

function ratio(name: string, subject: CannonResult, baseline: CannonResult): void {
  const rps = subject.requests.average / Math.max(baseline.requests.average, 1);
  const p99 = subject.latency.p99 / Math.max(baseline.latency.p99, 1);
  console.log(`${name.padEnd(30)} req/s ${rps.toFixed(2)}x bare Koa   p99 ${p99.toFixed(2)}x bare Koa`);
}

async function main(): Promise<void> {
  const mongoServer = await startMongoProcess();
  const redis = await redisFromEnvOrStart();
  const home = mkdtempSync(join(tmpdir(), "core4ts-bench-http-"));

  const config = loadConfig({
    env: {},
    overrides: {
      home,
      mongodb: { uri: mongoServer.url },
      redis: { url: redis.url },
      log: { level: "silent", mongoLevel: "info" },
      server: { adminPassword: "bench-admin-password", secret: "bench-secret-0123456789abcdef" },
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

  console.log(`autocannon: ${CONNECTIONS} connections, ${DURATION_S} s per run\n`);
  // Warm up JIT and connection pools so the first measured run is not penalised.
  await autocannon({ url: `${api.url}/bench/json`, connections: 10, duration: 1, headers: auth });
  await autocannon({ url: `${bareUrl}/`, connections: 10, duration: 1 });

  // Each subject runs right after its own baseline: on a shared machine the load drifts between runs, and
  // adjacent pairs keep that drift out of the ratios.
  const subjects: [string, string, Record<string, string>][] = [
    ["GET /core4/api/v1/health", `${api.url}/core4/api/v1/health`, {}],
    ["GET /bench/public (no auth)", `${api.url}/bench/public`, {}],
    ["GET /bench/json (Bearer)", `${api.url}/bench/json`, auth],
  ];
  const results: CannonResult[] = [];
  const ratios: [string, CannonResult, CannonResult][] = [];
  for (const [name, url, headers] of subjects) {
    const baseline = await run("  bare Koa (same JSON)", `${bareUrl}/`);
    const subject = await run(name, url, headers);
    results.push(baseline, subject);
    ratios.push([name, subject, baseline]);
  }
  console.log("");
  for (const [name, subject, baseline] of ratios) ratio(name, subject, baseline);

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
