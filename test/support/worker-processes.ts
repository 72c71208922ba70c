import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { expect } from "vitest";
import { testMongoUri, testRedisUrl } from "./services.js";

/** What a spawned worker script needs to reach the test's own services and data. */
export interface WorkerRuntime {
  readonly mongo: { readonly sysDatabase: string };
  readonly prefix: string;
}

/**
 * Worker processes of one test file: `start()` spawns `script` (a worker entry that prints "ready"), with the
 * test runtime's MongoDB, sys database, Redis and prefix in its environment, and waits until it is ready;
 * `stopAll()` ends those still running (for `afterAll`).
 */
export function workerProcesses(
  runtime: WorkerRuntime,
  script: string,
  env: NodeJS.ProcessEnv = {},
): { start(): Promise<ChildProcess>; stopAll(): Promise<void> } {
  const children: ChildProcess[] = [];
  return {
    async start() {
      const child = spawn(process.execPath, ["--conditions=core4ts-source", "--import", "tsx", script], {
        env: {
          ...process.env,
          TEST_MONGODB_URI: await testMongoUri(),
          TEST_SYS_DATABASE: runtime.mongo.sysDatabase,
          TEST_REDIS_URL: testRedisUrl(),
          TEST_PREFIX: runtime.prefix,
          ...env,
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(child);
      const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, "data")) as [Buffer];
      expect(chunk.toString()).toContain("ready");
      return child;
    },
    async stopAll() {
      for (const child of children) {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          await once(child, "exit");
        }
      }
    },
  };
}
