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
 * answer, else 503. Concurrent requests share one probe, so a flood of health checks costs MongoDB and
 * Redis one ping each at a time.
 */
export function registerHealthRoutes(router: Core4Router, services: AppServices): void {
  let inFlight: Promise<Health> | undefined;
  const probe = (): Promise<Health> => {
    inFlight ??= Promise.all([services.runtime.mongo.ping(2_000), services.redisProbe()])
      .then(([mongodb, redis]) => ({ mongodb, redis: redis ?? null }))
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
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
