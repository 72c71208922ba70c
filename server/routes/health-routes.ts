import type { AppServices } from "../app/types.js";
import { reply } from "../reply/reply.js";
import type { Core4Router } from "../router/core4-router.js";

/**
 * `GET /core4/api/v1/health` (public): MongoDB and Redis reachability; 200 when all configured services
 * answer, else 503. `redis` is null when the process runs without Redis.
 */
export function registerHealthRoutes(router: Core4Router, services: AppServices): void {
  router.get(
    "/core4/api/v1/health",
    async (ctx) => {
      const [mongodb, redis] = await Promise.all([services.runtime.mongo.ping(2_000), services.redisProbe()]);
      const healthy = mongodb && redis !== false;
      ctx.set("Cache-Control", "no-store");
      reply(ctx, { mongodb, redis: redis ?? null }, { status: healthy ? 200 : 503 });
    },
    { public: true },
  );
}
