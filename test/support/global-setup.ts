import type { TestProject } from "vitest/node";
import { startRedisServer } from "./service-processes.js";

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
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
  const redis = await startRedisServer();
  const url = redis.url;
  process.env.CORE4_TEST_REDIS_URL = url;
  project.provide("redisUrl", url);
  return async () => {
    await redis.stop();
  };
}
