import { Redis } from "ioredis";

/**
 * An ioredis connection as BullMQ workers need it: `maxRetriesPerRequest: null`, so that blocking commands
 * and commands issued during a reconnect wait instead of failing.
 */
export function createRedis(url: string | undefined, name: string): Redis {
  if (!url) {
    throw new Error("no Redis URL: set CORE4_REDIS_URL or let the runtime start redis-server (needRedis)");
  }
  return new Redis(url, { maxRetriesPerRequest: null, connectionName: name });
}
