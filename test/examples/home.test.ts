import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { Runtime } from "../../framework/index.js";
import usage from "../../plugins/usage/index.js";
import { startServer } from "../../server/index.js";
import { ROOT, runCoco } from "../support/run-coco.js";
import { testMongoClient, testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

vi.setConfig({ testTimeout: 180_000 });

const CONFIG = join(ROOT, "examples/home/core4.yaml");

function login(user: string, created: string) {
  return {
    created: new Date(created),
    level: "INFO",
    levelno: 20,
    message: "successful login",
    name: "test",
    user,
  };
}

describe("examples/home", async () => {
  const uri = await testMongoUri();
  const client = await testMongoClient();
  // The example's own databases (core4 and home) are used as configured; only the sys database of the
  // framework is made unique, and what this test writes is removed afterwards.
  const sysDatabase = uniqueName("sys");
  const marker = uniqueName("home");
  afterAll(async () => {
    await client.db("core4").collection("sys.log").deleteMany({ name: marker });
    await client
      .db("home")
      .collection("login")
      .deleteMany({ day: { $gte: new Date("2026-03-01"), $lte: new Date("2026-03-03") } });
    await client.db(sysDatabase).dropDatabase();
  });

  it("condenses core4/sys.log into home/login with coco run, and serves the report from there", async () => {
    await client
      .db("core4")
      .collection("sys.log")
      .insertMany(
        [
          login("ada", "2026-03-01T10:00:00Z"),
          login("ada", "2026-03-01T12:00:00Z"),
          // 23:30 UTC is already the next day in Europe/Berlin.
          login("bob", "2026-03-01T23:30:00Z"),
          login("admin", "2026-03-02T09:00:00Z"),
          login("monitoring", "2026-03-02T09:05:00Z"),
          login("cy", "2026-03-03T08:00:00Z"),
        ].map((doc) => ({ ...doc, name: marker })),
      );
    const env = {
      CORE4_CONFIG: CONFIG,
      CORE4_MONGODB_URI: uri,
      CORE4_REDIS_URL: testRedisUrl(),
      CORE4_OPTION_mongodb__sysDatabase: sysDatabase,
    };
    const run = await runCoco(
      ["run", "usage.AggregateLogins", "start=2026-03-01", "end=2026-03-03", "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: "complete" });

    const days = await client
      .db("home")
      .collection("login")
      .find(
        { day: { $gte: new Date("2026-03-01"), $lte: new Date("2026-03-03") } },
        { projection: { _id: 0, day: 1, user: 1, logins: 1 } },
      )
      .sort({ day: 1, user: 1 })
      .toArray();
    expect(days.map((d) => [(d.day as Date).toISOString().slice(0, 10), d.user, d.logins])).toEqual([
      ["2026-03-01", "ada", 2],
      ["2026-03-02", "bob", 1],
      ["2026-03-03", "cy", 1],
    ]);

    const runtime = await Runtime.start({
      configFile: CONFIG,
      plugins: [usage],
      overrides: {
        mongodb: { uri, sysDatabase },
        redis: { url: testRedisUrl() },
        server: { adminPassword: "example-admin" },
      },
    });
    const server = await startServer(runtime, { plugins: [usage], port: 0 });
    try {
      const response = await fetch(
        `${server.url}/usage/login/raw?start=2026-03-01&end=2026-03-03&aggregate=day`,
        {
          headers: { authorization: `Basic ${Buffer.from("admin:example-admin").toString("base64")}` },
        },
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: { label: string; users: number }[] };
      expect(body.data.map((r) => [r.label, r.users])).toEqual([
        ["2026-03-01", 1],
        ["2026-03-02", 1],
        ["2026-03-03", 1],
      ]);
    } finally {
      await server.close();
      await runtime.close();
    }
  });
});
