import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runCoco } from "../support/run-coco.js";

const home = mkdtempSync(join(tmpdir(), "core4ts-services-"));
// This test is about the embedded services themselves: never hand it the test run's shared ones.
const env = { CORE4_HOME: home, CORE4_MONGODB_URI: "", CORE4_REDIS_URL: "" };

// Each test spawns coco processes (a few seconds each on a loaded machine).
vi.setConfig({ testTimeout: 180_000 });

describe("coco services", () => {
  afterAll(async () => {
    await runCoco(["services", "stop"], env);
  });

  it("starts both services in the background, prints their URLs, and a second call reuses them", async () => {
    const first = await runCoco(["services"], env);
    expect(first.code, first.stderr).toBe(0);
    const shown = JSON.parse(first.stdout) as { mongodb: string; redis: string };
    // Passwords are never printed; the URLs with them are in services.json (0600).
    expect(shown.mongodb).toMatch(/^mongodb:\/\/core4:\*\*\*@127\.0\.0\.1:\d+/);
    expect(shown.redis).toMatch(/^redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/);
    const urls = JSON.parse(readFileSync(join(home, "services.json"), "utf8")) as {
      mongodb: string;
      redis: string;
    };

    const mongo = new MongoClient(urls.mongodb, { serverSelectionTimeoutMS: 5_000 });
    expect(await mongo.db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
    await mongo.close();
    const redis = new Redis(urls.redis, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).toBe("PONG");
    redis.disconnect();

    const second = await runCoco(["services"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(shown);
    expect(JSON.parse(readFileSync(join(home, "services.json"), "utf8"))).toMatchObject(urls);
  });

  it("refuses to start embedded services with NODE_ENV=production, naming the variables", async () => {
    const other = mkdtempSync(join(tmpdir(), "core4ts-production-"));
    const refused = await runCoco(["services"], { ...env, CORE4_HOME: other, NODE_ENV: "production" });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/NODE_ENV=production.*CORE4_MONGODB_URI and CORE4_REDIS_URL/);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("stops them", async () => {
    // Its own start: the test must not rely on the one before it having started them.
    expect((await runCoco(["services"], env)).code).toBe(0);
    const stop = await runCoco(["services", "stop"], env);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain("services stopped");
  });
});
