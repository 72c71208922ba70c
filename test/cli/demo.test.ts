import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { startCoco } from "../support/run-coco.js";
import { testMongoClient, testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

// The demo writes 400 days of sample logins and aggregates them through the worker.
vi.setConfig({ testTimeout: 240_000 });

describe("coco demo", async () => {
  const client = await testMongoClient();
  const sysDatabase = uniqueName("demo");
  const usageDatabase = `${sysDatabase}_usage`;
  afterAll(async () => {
    await client.db(sysDatabase).dropDatabase();
    await client.db(usageDatabase).dropDatabase();
  });

  it("serves the report over the sample data and the demo users' real logins, and stops on Ctrl-C", async () => {
    const demo = startCoco(["demo"], {
      CORE4_HOME: mkdtempSync(join(tmpdir(), "core4ts-demo-")),
      CORE4_MONGODB_URI: await testMongoUri(),
      CORE4_REDIS_URL: testRedisUrl(),
      CORE4_OPTION_mongodb__sysDatabase: sysDatabase,
      CORE4_OPTION_redis__prefix: uniqueName("q"),
      CORE4_OPTION_usage__sysLog: `${sysDatabase}/sys.log`,
      CORE4_OPTION_usage__login: `${usageDatabase}/login`,
    });
    let stdout = "";
    let stderr = "";
    demo.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const ready = new Promise<void>((resolve, reject) => {
      demo.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes("Press Ctrl-C")) resolve();
      });
      demo.once("exit", (code) =>
        reject(new Error(`demo exited early with ${code}: ${stderr.slice(-2000)}`)),
      );
    });
    try {
      await ready;
      const report = /usage report: (\S+)/.exec(stdout)?.[1] as string;
      expect(report).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/usage\/login$/);
      expect(stdout).toContain("demo / core4demo");
      const auth = { authorization: `Basic ${Buffer.from("demo:core4demo").toString("base64")}` };

      const raw = await fetch(`${report}/raw?aggregate=month`, { headers: auth });
      expect(raw.status).toBe(200);
      const rows = ((await raw.json()) as { data: { users: number; partial: boolean }[] }).data;
      const complete = rows.filter((row) => !row.partial);
      expect(complete.length).toBeGreaterThanOrEqual(2);
      for (const row of complete) expect(row.users).toBeGreaterThan(100);

      // The demo users logged in through the real endpoint: their logins were condensed like any other.
      const demoUsers = await client
        .db(usageDatabase)
        .collection("login")
        .distinct("user", { user: { $in: ["demo", "ada", "grace"] } });
      expect(demoUsers.sort()).toEqual(["ada", "demo", "grace"]);

      const plot = await fetch(`${report}/plot`, { headers: auth });
      expect(plot.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    } finally {
      if (demo.exitCode === null) {
        demo.kill("SIGINT");
        const [code] = (await once(demo, "exit")) as [number | null];
        expect(code).toBe(0);
      }
    }
  });
});
