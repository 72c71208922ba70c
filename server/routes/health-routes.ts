import type { AppServices } from "../app/types.js";
import { reply } from "../reply/reply.js";
import type { Core4Router } from "../router/core4-router.js";

/** Reachability of the services, as `health` reports it. */
interface Health {
  mongodb: boolean;
  /** null when the process runs without Redis. */
  redis: boolean | null;
}

/**
 * `GET /core4/api/v1/health` (public): MongoDB and Redis reachability; 200 when all configured services
 * answer, else 503. One probe (a ping to each) serves every request that arrives while it runs and for
 * `reuseMs` after it started, so a flood of health checks (or many load balancers polling) costs MongoDB
 * and Redis a ping each per `reuseMs`, and an outage shows within `reuseMs` plus the ping's timeout.
 *
 * @param reuseMs How long a probe's answer is reused, from the probe's start (0: every request that does
 *   not find one running starts its own).
 */
export function registerHealthRoutes(router: Core4Router, services: AppServices, reuseMs = 1_000): void {
  let last: { health: Promise<Health>; started: number; settled: boolean } | undefined;
  const probe = (): Promise<Health> => {
    const now = Date.now();
    if (last && (now - last.started < reuseMs || !last.settled)) return last.health;
    const current = {
      started: now,
      settled: false,
      health: Promise.all([services.runtime.mongo.ping(2_000), services.redisProbe()]).then(
        ([mongodb, redis]) => ({ mongodb, redis: redis ?? null }),
      ),
    };
    last = current;
    void current.health.finally(() => {
      current.settled = true;
    });
    return current.health;
  };

  router.get(
    "/core4/api/v1/health",
    async (ctx) => {
      const health = await probe();
      ctx.set("Cache-Control", "no-store");
      reply(ctx, health, { status: health.mongodb && health.redis !== false ? 200 : 503 });
    },
    { public: true },
  );
}
