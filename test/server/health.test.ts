import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../framework/config/index.js";
import { createLogger } from "../../framework/log/index.js";
import { MongoRegistry } from "../../framework/mongo/index.js";
import { startServer } from "../../server/index.js";
import { type ServiceProcess, startMongoProcess, startRedisServer } from "../support/service-processes.js";

// `health` against services of its own, so they can be killed: its answers are what load balancers and
// `coco` operators act on.
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

interface HealthReply {
  code: number;
  data: { mongodb: boolean; redis: boolean | null };
}

async function serverWith(mongo: ServiceProcess, redis: ServiceProcess, healthCacheMs: number) {
  const home = mkdtempSync(join(tmpdir(), "core4ts-health-"));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  const config = loadConfig({
    env: {},
    overrides: {
      home,
      mongodb: { uri: mongo.url },
      redis: { url: redis.url },
      log: { level: "silent", mongoLevel: "silent" },
      server: { adminPassword: "health-admin-password", secret: "health-secret-0123456789abcdef" },
    },
  });
  const registry = new MongoRegistry({ uri: mongo.url, sysDatabase: "core4" });
  cleanups.push(() => registry.close());
  const logger = createLogger({ level: "silent", mongoLevel: "silent" });
  const api = await startServer(
    { config, mongo: registry, logger, redisUrl: redis.url },
    { port: 0, healthCacheMs },
  );
  cleanups.push(() => api.close());
  const health = async (): Promise<{ status: number; body: HealthReply }> => {
    const response = await fetch(`${api.url}/core4/api/v1/health`);
    return { status: response.status, body: (await response.json()) as HealthReply };
  };
  /** Polls until `health` answers `status` (an outage shows within the reuse time plus a ping's timeout). */
  const until = (status: number) =>
    vi.waitFor(async () => expect((await health()).status).toBe(status), { timeout: 8_000, interval: 100 });
  return { health, until };
}

function killHard(service: ServiceProcess): void {
  if (service.pid !== undefined) process.kill(service.pid, "SIGKILL");
}

describe("health", () => {
  it("answers 503 naming the service that is down, and 200 again once it is back", async () => {
    const mongo = await startMongoProcess();
    cleanups.push(() => mongo.stop());
    let redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const { health, until } = await serverWith(mongo, redis, 200);

    expect(await health()).toEqual({
      status: 200,
      body: expect.objectContaining({ code: 200, data: { mongodb: true, redis: true } }),
    });

    const port = Number(new URL(redis.url).port);
    killHard(redis);
    await until(503);
    expect((await health()).body).toMatchObject({ code: 503, data: { mongodb: true, redis: false } });

    redis = await startRedisServer({ port });
    await until(200);

    killHard(mongo);
    await until(503);
    expect((await health()).body.data).toEqual({ mongodb: false, redis: true });
  }, 40_000);

  it("serves a flood of checks from one probe per reuse time", async () => {
    const mongo = await startMongoProcess();
    cleanups.push(() => mongo.stop());
    const redis = await startRedisServer();
    cleanups.push(() => redis.stop());
    const { health } = await serverWith(mongo, redis, 60_000);
    const counter = new Redis(redis.url);
    cleanups.push(async () => counter.disconnect());
    const pings = async (): Promise<number> =>
      Number(/cmdstat_ping:calls=(\d+)/.exec(await counter.info("commandstats"))?.[1] ?? 0);

    await health();
    const before = await pings();
    const replies = await Promise.all(Array.from({ length: 50 }, () => health()));
    for (let i = 0; i < 20; i++) replies.push(await health());
    expect(replies.every((r) => r.status === 200)).toBe(true);
    // The first check's probe answers all 70: Redis saw no further ping.
    expect((await pings()) - before).toBe(0);
  }, 30_000);
});
