import { connectRedis, type RedisClient, redisServes } from "../../framework/queue/index.js";
import type { RedisProbe } from "./types.js";

/**
 * A Redis reachability check for `health`: one lazily connected client shared by all probes, a 2 s
 * deadline per probe. A Redis Cluster (`redis+cluster://`) is healthy when it serves all slots
 * (`cluster_state:ok`), not when one node answers. Without a URL the probe reports undefined (Redis not
 * configured).
 */
export function redisProbe(url: string | undefined): { probe: RedisProbe; close: () => Promise<void> } {
  if (!url) return { probe: async () => undefined, close: async () => {} };
  let client: RedisClient | undefined;
  let connecting: Promise<void> | undefined;
  const connected = (): Promise<void> => {
    if (!client) {
      client = connectRedis(
        url,
        { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 },
        { lazyConnect: true },
      );
      // An unreachable Redis must not crash the process with unhandled "error" events.
      client.on("error", () => {});
    }
    // One shared connect for concurrent probes; ioredis reconnects by itself afterwards.
    connecting ??= client.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };
  const probe: RedisProbe = async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timeout")), 2_000);
    });
    try {
      const served = await Promise.race([
        connected().then(() => (client ? redisServes(client) : { ok: false })),
        timeout,
      ]);
      return served.ok;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  };
  return { probe, close: async () => void client?.disconnect() };
}
