import { connectRedis, type RedisClient } from "../../framework/queue/index.js";

/**
 * The Redis connection of the login throttle: a command waits for at most one reconnect while Redis is
 * unreachable, then fails, and the login falls back to the process's own counters instead of waiting.
 * A `redis+cluster://` URL gives a cluster client (the throttle's keys share the `{login}` hash tag).
 * Without a URL there is none and the throttle counts in memory.
 */
export function throttleRedis(url: string | undefined): {
  client: RedisClient | undefined;
  close: () => Promise<void>;
} {
  if (!url) return { client: undefined, close: async () => {} };
  const client = connectRedis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    connectionName: "core4-login-throttle",
  });
  // Reconnects by itself; until then the throttle uses its in-memory fallback.
  client.on("error", () => {});
  return { client, close: async () => void client.disconnect() };
}
