import { Redis } from "ioredis";
import type { JobLogger } from "../job/index.js";
import { redactUri } from "../mongo/index.js";

// Connection errors repeat on every reconnect attempt: log the first of a streak, not each one.
const QUIET_MS = 30_000;

/**
 * An ioredis connection as BullMQ workers need it: `maxRetriesPerRequest: null`, so that blocking commands
 * and commands issued during a reconnect wait instead of failing. Connection errors (ioredis reconnects by
 * itself) go to `logger` with the URL's password hidden, at most once per 30 s.
 */
export function createRedis(url: string | undefined, name: string, logger: JobLogger): Redis {
  if (!url) {
    throw new Error("no Redis URL: set CORE4_REDIS_URL or let the runtime start redis-server (needRedis)");
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
  let lastLogged = 0;
  redis.on("error", (error: Error) => {
    const now = Date.now();
    if (now - lastLogged < QUIET_MS) return;
    lastLogged = now;
    logger.warn(`Redis connection ${name} to ${redactUri(url)}: ${error.message}`);
  });
  return redis;
}
