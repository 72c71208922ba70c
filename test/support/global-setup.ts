import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

/** A free loopback port, picked by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForRedis(child: ChildProcess, port: number): Promise<void> {
  const { Redis } = await import("ioredis");
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch {
      client.disconnect();
      if (Date.now() > deadline) throw new Error("redis-server did not answer within 10 s");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Starts one redis-server for the whole test run (unless CORE4_REDIS_URL is set). Every test uses its own
 * queue names, so files can run in parallel against it. MongoDB is started per test file in-process
 * (see test/support/services.ts) unless CORE4_MONGODB_URI points at a real server.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.CORE4_REDIS_URL;
  if (given) {
    project.provide("redisUrl", given);
    return async () => {};
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "core4ts-test-redis-"));
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: "ignore" },
  );
  const spawned = new Promise<void>((resolve, reject) => {
    child.once("error", (error) =>
      reject(
        new Error(
          `cannot start redis-server (${error.message}): apt-get install redis-server, or set CORE4_REDIS_URL`,
        ),
      ),
    );
    child.once("spawn", () => resolve());
  });
  await spawned;
  await waitForRedis(child, port);
  const url = `redis://127.0.0.1:${port}`;
  process.env.CORE4_TEST_REDIS_URL = url;
  project.provide("redisUrl", url);
  return async () => {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  };
}
