import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { lstatSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { CoreJob } from "../../framework/job/index.js";
import { redactUri } from "../../framework/mongo/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JobQueue, startWorkerPool } from "../../framework/queue/index.js";
import {
  ensureServices,
  pingMongo,
  pingRedis,
  type RunningServices,
  readServicesFile,
  stopServices,
} from "../../framework/services/index.js";
import { createTestRuntime, eventually as eventuallyWithin, sleep } from "../job/support.js";

/** `eventually` with a deadline for a loaded machine (processes here start in seconds, not milliseconds). */
const eventually = <T>(check: () => Promise<T | undefined> | T | undefined, everyMs = 50): Promise<T> =>
  eventuallyWithin(check, everyMs, 60_000);

const homes: string[] = [];
const running: RunningServices[] = [];
const children: ChildProcess[] = [];

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "core4ts-lifecycle-"));
  homes.push(home);
  return home;
}

async function ensure(home: string, watchIntervalMs = 500): Promise<RunningServices> {
  const services = await ensureServices({ home, mongodbUri: "embedded", watchIntervalMs });
  running.push(services);
  return services;
}

/** A process holding the services of `home` (as `coco serve` does) until SIGTERM. */
async function holder(
  home: string,
): Promise<{ child: ChildProcess; urls: { mongodb: string; redis: string } }> {
  const fixture = new URL("./fixtures/ensure-and-exit.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--import", "tsx", fixture, home, "hold"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
  return { child, urls: JSON.parse(chunk.toString()) as { mongodb: string; redis: string } };
}

function modes(dir: string): { path: string; mode: number; directory: boolean }[] {
  const found: { path: string; mode: number; directory: boolean }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = lstatSync(path);
    found.push({ path, mode: stat.mode & 0o777, directory: stat.isDirectory() });
    if (stat.isDirectory()) found.push(...modes(path));
  }
  return found;
}

const withoutPassword = (url: string): string => url.replace(/\/\/[^@/]*@/, "//");

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
  }
  for (const services of running) await services.stop().catch(() => undefined);
  for (const home of homes) {
    await stopServices(home).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}, 60_000);

describe("embedded services, locked", () => {
  it("keep CORE4_HOME 0700 with every file 0600, and refuse clients without the generated credentials", async () => {
    const home = freshHome();
    const services = await ensure(home, 0);
    const client = new MongoClient(services.mongodbUri);
    await client.db("locked").collection("items").insertOne({ secret: true });
    await client.close();
    const redis = new Redis(services.redisUrl as string);
    await redis.set("locked", "yes");
    redis.disconnect();

    expect(lstatSync(home).mode & 0o777).toBe(0o700);
    const wrong = modes(home).filter((f) => f.mode !== (f.directory ? 0o700 : 0o600));
    expect(wrong).toEqual([]);

    const anonymous = new MongoClient(withoutPassword(services.mongodbUri), {
      serverSelectionTimeoutMS: 3_000,
    });
    try {
      await expect(anonymous.db("locked").collection("items").findOne({})).rejects.toMatchObject({
        code: 13,
      });
    } finally {
      await anonymous.close();
    }
    const nopass = new Redis(withoutPassword(services.redisUrl as string), { maxRetriesPerRequest: 0 });
    nopass.on("error", () => {});
    try {
      await expect(nopass.get("locked")).rejects.toThrow(/NOAUTH/);
    } finally {
      nopass.disconnect();
    }
    // What logs and errors show of the URLs.
    expect(redactUri(services.mongodbUri)).toMatch(/^mongodb:\/\/core4:\*\*\*@/);
    expect(redactUri(services.redisUrl as string)).toMatch(/^redis:\/\/:\*\*\*@/);
  });

  it("are refused with NODE_ENV=production, naming the variables to set", async () => {
    const home = freshHome();
    await expect(ensureServices({ home, mongodbUri: "embedded", production: true })).rejects.toThrow(
      /NODE_ENV=production.*CORE4_MONGODB_URI and CORE4_REDIS_URL/,
    );
    await expect(
      ensureServices({
        home,
        mongodbUri: "embedded:memory",
        redisUrl: "redis://127.0.0.1:1",
        production: true,
      }),
    ).rejects.toThrow(/set CORE4_MONGODB_URI$/);
    expect(readdirSync(home)).toEqual([]);
  });
});

describe("embedded services, shared", () => {
  it("come back on their recorded ports after a kill -9, and clients reconnect by themselves", {
    timeout: 60_000,
  }, async () => {
    const home = freshHome();
    const services = await ensure(home);
    const before = readServicesFile(home);
    const client = new MongoClient(services.mongodbUri);
    const redis = new Redis(services.redisUrl as string, { maxRetriesPerRequest: null });
    redis.on("error", () => {});
    try {
      await client.db("kept").collection("items").insertOne({ n: 1 });
      await redis.set("kept", "1");
      for (const { pid } of Object.values(before?.processes ?? {})) process.kill(pid, "SIGKILL");
      const killed = Date.now();
      await eventually(async () => {
        const count = await client
          .db("kept")
          .collection("items")
          .countDocuments({}, { maxTimeMS: 1_000 })
          .catch(() => undefined);
        return count === 1 ? true : undefined;
      }, 200);
      expect(await redis.get("kept")).toBe("1");
      expect(Date.now() - killed).toBeLessThan(10_000);
      const after = readServicesFile(home);
      expect(after).toMatchObject({ mongodb: before?.mongodb, redis: before?.redis });
      expect(after?.processes?.mongodb?.pid).not.toBe(before?.processes?.mongodb?.pid);
    } finally {
      await client.close();
      redis.disconnect();
    }
  });

  it("outlive the process that started them while another uses them; the last one out stops them", {
    timeout: 60_000,
  }, async () => {
    const home = freshHome();
    const starter = await holder(home);
    const user = await ensure(home);
    expect(user).toMatchObject({
      mongodbUri: starter.urls.mongodb,
      redisUrl: starter.urls.redis,
      owned: false,
    });
    starter.child.kill("SIGTERM");
    await once(starter.child, "exit");
    await sleep(500);
    expect(await pingMongo(user.mongodbUri)).toEqual({ ok: true });
    expect(await pingRedis(user.redisUrl as string)).toEqual({ ok: true });
    await user.stop();
    expect(readServicesFile(home)).toBeUndefined();
    await eventually(async () => ((await pingRedis(starter.urls.redis, 500)).ok ? undefined : true), 100);
  });
});

class Noted extends CoreJob {
  static override readonly jobName = "lc.Noted";
  override async execute(): Promise<void> {
    this.setSource("noted");
    await this.collection("lc/notes").insertOne({ job: this.id });
  }
}

describe("a worker on the embedded services", () => {
  it("keeps working when the process that started them exits and when MongoDB is killed and restarted", {
    timeout: 90_000,
  }, async () => {
    const home = freshHome();
    const starter = await holder(home);
    const services = await ensure(home);
    const runtime = await createTestRuntime([definePlugin({ name: "lc", jobs: [Noted] })], {
      mongodbUri: services.mongodbUri,
      redisUrl: services.redisUrl as string,
    });
    const pool = await startWorkerPool(runtime, { journalRecoveryInterval: 0 });
    const queue = new JobQueue(runtime);
    const notes = runtime.mongo.collection("lc/notes");
    const complete = async (): Promise<void> => {
      const { id } = await queue.enqueue(Noted);
      await eventually(async () => ((await queue.get(id)).state === "complete" ? true : undefined), 100);
      expect(await notes.countDocuments({ job: id })).toBe(1);
    };
    try {
      await complete();
      starter.child.kill("SIGTERM");
      await once(starter.child, "exit");
      await complete();
      const mongoPid = readServicesFile(home)?.processes?.mongodb?.pid as number;
      process.kill(mongoPid, "SIGKILL");
      await eventually(
        async () => ((await pingMongo(services.mongodbUri, 1_000)).ok ? true : undefined),
        200,
      );
      await complete();
    } finally {
      await pool.close();
      await queue.close();
    }
  });
});
