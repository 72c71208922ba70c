import { afterAll } from "vitest";
import type { JobRuntime } from "../../framework/job/index.js";
import type { Logger } from "../../framework/log/index.js";
import type { Plugin } from "../../framework/plugin.js";
import { Runtime } from "../../framework/runtime.js";
import { testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

/** A job runtime on the test services with its own sys database and Redis prefix. */
export interface TestJobRuntime extends JobRuntime {
  readonly logger: Logger;
  /** Redis key prefix of this runtime's queues. */
  readonly prefix: string;
  /** Flushes logs and closes MongoDB clients. */
  close(): Promise<void>;
}

/** Options of {@link createTestRuntime}. */
export interface TestRuntimeOptions {
  /** Config values (merged over the test services' URIs). */
  overrides?: Record<string, unknown>;
  /** Reuse this sys database and prefix (a second "process" on the same data). */
  share?: TestJobRuntime;
  /** Another Redis than the test run's shared one (a test that stops its Redis). */
  redisUrl?: string;
  /** Another MongoDB than the test file's (embedded services a test starts). */
  mongodbUri?: string;
}

/**
 * Starts a {@link Runtime} on the test Redis and MongoDB, the way every command composes one; closed after
 * the file. Each runtime gets a fresh sys database and queue prefix unless it shares another's.
 */
export async function createTestRuntime(
  plugins: Plugin[],
  options: TestRuntimeOptions = {},
): Promise<TestJobRuntime> {
  const uri = options.mongodbUri ?? (await testMongoUri());
  const sysDatabase = options.share?.mongo.sysDatabase ?? uniqueName("core4");
  const prefix = options.share?.prefix ?? uniqueName("q");
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const runtime = await Runtime.start({
    plugins,
    env: {},
    name: "test",
    overrides: {
      ...options.overrides,
      mongodb: { uri, sysDatabase },
      redis: { url: redisUrl, prefix },
      log: { level: "silent", mongoLevel: "debug" },
    },
  });
  afterAll(() => runtime.close());
  return Object.assign(runtime, { prefix });
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/** Polls `check` until it returns a value other than undefined, failing after `deadlineMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  everyMs = 50,
  deadlineMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    // A deadline, so a condition that never comes fails with a message instead of the test timeout.
    if (Date.now() > deadline) throw new Error(`eventually: condition not met within ${deadlineMs} ms`);
    await sleep(everyMs);
  }
}
