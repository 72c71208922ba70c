import { Redis } from "ioredis";
import type { JobLogger } from "../job/index.js";
import { type ErrorEmitter, RedisOutage } from "./redis-outage.js";

/**
 * An ioredis connection as BullMQ workers need it: `maxRetriesPerRequest: null`, so that blocking commands
 * and commands issued during a reconnect wait instead of failing. Connection errors (ioredis reconnects by
 * itself) are logged once per outage by {@link RedisOutage}, with the URL's password hidden.
 */
export function createRedis(url: string | undefined, name: string, logger: JobLogger): Redis {
  if (!url) {
    throw new Error("no Redis URL: set CORE4_REDIS_URL or let the runtime start redis-server (needRedis)");
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
  RedisOutage.of(logger, url).watchConnection(redis, name);
  return redis;
}

/**
 * Sends the `error` events of a BullMQ Queue, Worker or QueueEvents to the outage log of `url`. Without a
 * listener BullMQ prints every reconnect error to stderr as a multi-line dump.
 */
export function watchRedisErrors(
  emitter: ErrorEmitter,
  source: string,
  logger: JobLogger,
  url: string | undefined,
): void {
  RedisOutage.of(logger, url).watch(emitter, source);
}
