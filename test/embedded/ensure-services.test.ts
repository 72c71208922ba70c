import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import {
  ensureServices,
  pingMongo,
  pingRedis,
  type RunningServices,
  readServicesFile,
  ServiceError,
  stopServices,
} from "../../framework/services/index.js";
import { testRedisUrl } from "../support/services.js";

const homes: string[] = [];
const running: RunningServices[] = [];

/** A fresh CORE4_HOME, cleaned up (services stopped, folder removed) after the file. */
function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "core4ts-services-"));
  homes.push(home);
  return home;
}

async function ensure(home: string, extra: { detached?: boolean; needRedis?: boolean } = {}) {
  const services = await ensureServices({ home, mongodbUri: "embedded", ...extra });
  running.push(services);
  return services;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid)).toBe(false);
}

afterAll(async () => {
  for (const services of running) await services.stop().catch(() => undefined);
  for (const home of homes) {
    const pids = Object.values(readServicesFile(home)?.processes ?? {}).map((p) => p.pid);
    await stopServices(home).catch(() => undefined);
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already stopped
      }
    }
    rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

describe("ensureServices with embedded services", () => {
  it("starts MongoDB and Redis for a fresh home, records them, and a second call reuses them", async () => {
    const home = freshHome();
    const first = await ensure(home);
    expect(first.owned).toBe(true);
    expect(first.owns).toEqual({ mongodb: true, redis: true });
    // Generated credentials are part of the URLs.
    expect(first.mongodbUri).toMatch(/^mongodb:\/\/core4:[\w-]{20,}@127\.0\.0\.1:\d+/);
    expect(first.redisUrl).toMatch(/^redis:\/\/:[\w-]{20,}@127\.0\.0\.1:\d+$/);
    expect(await pingMongo(first.mongodbUri)).toEqual({ ok: true });
    expect(await pingRedis(first.redisUrl!)).toEqual({ ok: true });

    const file = JSON.parse(readFileSync(join(home, "services.json"), "utf8")) as Record<string, unknown>;
    expect(file).toMatchObject({ mongodb: first.mongodbUri, redis: first.redisUrl });
    expect(existsSync(join(home, "mongo"))).toBe(true);
    expect(existsSync(join(home, "redis"))).toBe(true);

    const second = await ensure(home);
    expect(second).toMatchObject({ mongodbUri: first.mongodbUri, redisUrl: first.redisUrl, owned: false });
    // Stopping a user that does not own them leaves them running.
    await second.stop();
    expect(await pingRedis(first.redisUrl!)).toEqual({ ok: true });

    const pids = Object.values(readServicesFile(home)?.processes ?? {}).map((p) => p.pid);
    expect(pids).toHaveLength(2);
    await first.stop();
    for (const pid of pids) await gone(pid);
    expect(existsSync(join(home, "services.json"))).toBe(false);
  });

  it("replaces a stale services.json (its processes killed) and reuses the data under home", async () => {
    const home = freshHome();
    const first = await ensure(home);
    const client = new MongoClient(first.mongodbUri);
    await client.db("kept").collection("items").insertOne({ name: "survives" });
    await client.close();
    const stale = readServicesFile(home)!;
    for (const { pid } of Object.values(stale.processes ?? {})) {
      process.kill(pid, "SIGKILL");
      await gone(pid);
    }

    const second = await ensure(home);
    expect(second.owned).toBe(true);
    // Restarted on the recorded ports with the recorded credentials: the same URLs.
    expect(second.mongodbUri).toBe(stale.mongodb);
    expect(second.redisUrl).toBe(stale.redis);
    expect(readServicesFile(home)?.processes?.mongodb?.pid).not.toBe(stale.processes?.mongodb?.pid);
    expect(readServicesFile(home)).toMatchObject({ mongodb: second.mongodbUri, redis: second.redisUrl });
    expect(await pingRedis(second.redisUrl!)).toEqual({ ok: true });
    const reader = new MongoClient(second.mongodbUri);
    try {
      expect(
        await reader
          .db("kept")
          .collection("items")
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({
        name: "survives",
      });
    } finally {
      await reader.close();
    }
    await second.stop();
  });

  it("replaces services that hang, ending the hung processes first", async () => {
    const home = freshHome();
    const first = await ensure(home, { detached: true });
    const pids = Object.values(readServicesFile(home)?.processes ?? {}).map((p) => p.pid);
    for (const pid of pids) process.kill(pid, "SIGSTOP");
    const second = await ensure(home);
    expect(second.owned).toBe(true);
    expect(second.redisUrl).toBe(first.redisUrl);
    for (const pid of pids) await gone(pid);
    expect(Object.values(readServicesFile(home)?.processes ?? {}).map((p) => p.pid)).not.toContain(pids[0]);
    expect(await pingMongo(second.mongodbUri)).toEqual({ ok: true });
    await second.stop();
  }, 60_000);

  it("starts one set when two callers start at once with the same home", async () => {
    const home = freshHome();
    const [a, b] = await Promise.all([ensure(home), ensure(home)]);
    expect(a.mongodbUri).toBe(b.mongodbUri);
    expect(a.redisUrl).toBe(b.redisUrl);
    expect([a.owned, b.owned].sort()).toEqual([false, true]);
  });

  it("starts only MongoDB when Redis is not needed", async () => {
    const home = freshHome();
    const services = await ensure(home, { needRedis: false });
    expect(services.redisUrl).toBeUndefined();
    expect(readServicesFile(home)?.redis).toBeUndefined();
    expect(await pingMongo(services.mongodbUri)).toEqual({ ok: true });
  });

  it("leaves detached services running until stopServices", async () => {
    const home = freshHome();
    const services = await ensure(home, { detached: true });
    expect(services.owned).toBe(true);
    expect(readServicesFile(home)?.processes?.redis?.owner).toBeNull();
    await services.stop();
    expect(await pingMongo(services.mongodbUri)).toEqual({ ok: true });
    expect(await pingRedis(services.redisUrl!)).toEqual({ ok: true });

    const pids = Object.values(readServicesFile(home)?.processes ?? {}).map((p) => p.pid);
    expect(await stopServices(home)).toBe(true);
    for (const pid of pids) await gone(pid);
    expect(readServicesFile(home)).toBeUndefined();
    expect(await stopServices(home)).toBe(false);
  });

  it("adopts services whose owner died without stopping them", async () => {
    const home = freshHome();
    const orphaned = await ensure(home, { detached: true });
    // Pretend a process that is gone now (kill -9) started them as its children.
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    const file = readServicesFile(home)!;
    for (const p of Object.values(file.processes ?? {})) p.owner = deadPid;
    writeFileSync(join(home, "services.json"), JSON.stringify(file));

    const adopter = await ensure(home);
    expect(adopter).toMatchObject({
      mongodbUri: orphaned.mongodbUri,
      redisUrl: orphaned.redisUrl,
      owned: true,
    });
    expect(readServicesFile(home)?.processes?.mongodb?.owner).toBe(process.pid);
    const pids = Object.values(file.processes ?? {}).map((p) => p.pid);
    await adopter.stop();
    for (const pid of pids) await gone(pid);
  });
});

describe("services across processes", () => {
  /** Runs the fixture in a separate Node process, as `coco services` or a command that exits would. */
  function runFixture(home: string, mode: "detached" | "owned"): { mongodb: string; redis: string } {
    const fixture = new URL("./fixtures/ensure-and-exit.ts", import.meta.url).pathname;
    const out = execFileSync(process.execPath, ["--import", "tsx", fixture, home, mode], {
      encoding: "utf8",
    });
    return JSON.parse(out) as { mongodb: string; redis: string };
  }

  it("detached services outlive the process that started them, and another process reuses them", async () => {
    const home = freshHome();
    const started = runFixture(home, "detached");
    expect(await pingMongo(started.mongodb)).toEqual({ ok: true });
    expect(await pingRedis(started.redis)).toEqual({ ok: true });
    expect(runFixture(home, "detached")).toEqual(started);
    expect(await stopServices(home)).toBe(true);
  });

  it("two processes starting at once with the same home start one set", async () => {
    const home = freshHome();
    const fixture = new URL("./fixtures/ensure-and-exit.ts", import.meta.url).pathname;
    const run = () => promisify(execFile)(process.execPath, ["--import", "tsx", fixture, home, "detached"]);
    const [a, b] = await Promise.all([run(), run()]);
    expect(JSON.parse(a.stdout)).toEqual(JSON.parse(b.stdout));
    const file = readServicesFile(home);
    expect(JSON.parse(a.stdout)).toEqual({ mongodb: file?.mongodb, redis: file?.redis });
    expect(await stopServices(home)).toBe(true);
  }, 60_000);

  it("an owner that exits without stop() still stops its services", async () => {
    const home = freshHome();
    const started = runFixture(home, "owned");
    // It was their only user: the exit stopped them and took them out of services.json.
    expect(readServicesFile(home)?.redis).toBeUndefined();
    for (let i = 0; i < 100 && (await pingRedis(started.redis, 500)).ok; i++) await sleep(100);
    expect((await pingRedis(started.redis, 500)).ok).toBe(false);
    // The file it left is stale: the next process replaces it.
    const next = await ensure(home);
    expect(next.owned).toBe(true);
    await next.stop();
  });
});

describe("ensureServices errors", () => {
  it("names the fix when redis-server is not on PATH", async () => {
    const home = freshHome();
    const path = process.env.PATH;
    process.env.PATH = freshHome();
    try {
      const failure = ensureServices({ home, mongodbUri: "embedded" });
      await expect(failure).rejects.toBeInstanceOf(ServiceError);
      await expect(failure).rejects.toThrow(/apt-get install redis-server.*CORE4_REDIS_URL/);
    } finally {
      process.env.PATH = path;
    }
    // Nothing was started or recorded.
    expect(readServicesFile(home)).toBeUndefined();
  });

  it("reports an unreachable MongoDB URI in one line, without its password", async () => {
    const failure = ensureServices({
      home: freshHome(),
      mongodbUri: "mongodb://alice:s3cret@127.0.0.1:1/?serverSelectionTimeoutMS=500",
      needRedis: false,
    });
    await expect(failure).rejects.toThrow(
      /^MongoDB at mongodb:\/\/alice:\*\*\*@127\.0\.0\.1:1\/.* does not answer/,
    );
    await expect(failure).rejects.not.toThrow(/s3cret|\n/);
  });

  it("reports an unreachable Redis URL naming CORE4_REDIS_URL", async () => {
    const failure = ensureServices({
      home: freshHome(),
      mongodbUri: "embedded:memory",
      redisUrl: "redis://:pw@127.0.0.1:1",
    });
    await expect(failure).rejects.toThrow(
      /^Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1 does not answer .*CORE4_REDIS_URL$/,
    );
  });

  it("refuses a mongodb.uri it does not understand", async () => {
    await expect(
      ensureServices({ home: freshHome(), mongodbUri: "postgres://x", needRedis: false }),
    ).rejects.toThrow(/mongodb\.uri must be a mongodb:\/\/ URI, "embedded" or "embedded:memory"/);
  });
});

describe("ensureServices with given or in-memory services", () => {
  it("uses a given Redis URL as is and keeps embedded:memory in this process", async () => {
    const home = freshHome();
    const services = await ensureServices({ home, mongodbUri: "embedded:memory", redisUrl: testRedisUrl() });
    running.push(services);
    expect(services.redisUrl).toBe(testRedisUrl());
    expect(services.owns).toEqual({ mongodb: true, redis: false });
    expect(await pingMongo(services.mongodbUri)).toEqual({ ok: true });
    // Nothing shared was started or recorded.
    expect(readServicesFile(home)).toBeUndefined();
    await services.stop();
    expect((await pingMongo(services.mongodbUri, 500)).ok).toBe(false);
  });
});
