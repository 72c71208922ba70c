import type { Middleware } from "koa";
import type { Core4Context, Core4State } from "../router/types.js";
import type { ServerLogger } from "../runtime/types.js";
import { requestIdOf } from "./request-id.js";

/** Work done once the reply of a request is decided (security headers, metrics), by the outermost middleware. */
export type AfterRequest = (ctx: Core4Context, ms: number) => void;

/**
 * Outermost middleware: gives each request an id (`X-Request-Id`, the envelope's `_id`) and a logger bound
 * to it, and writes one access-log record per request once the reply is decided: method, path (never the
 * query, which may carry secrets), status, milliseconds, user, the name a password login gave
 * (`login_name`) and the code of the core4ts error it ended with (`error_code`), at config
 * `server.accessLog`'s level. Runs `after` (in order) before the record: those steps used to be middleware
 * layers of their own, and one layer costs a request less than three.
 */
export function requestContext(
  logger: ServerLogger,
  accessLog: "info" | "debug" | "off" = "info",
  after: readonly AfterRequest[] = [],
): Middleware<Core4State> {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = requestIdOf(Date.now());
    ctx.state.requestId = requestId;
    ctx.state.logger = logger.child({ identifier: requestId });
    ctx.set("X-Request-Id", requestId);
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      for (const step of after) step(ctx as Core4Context, ms);
      const status = ctx.status;
      if (status >= 500 || accessLog !== "off") {
        const record: Record<string, unknown> = {
          method: ctx.method,
          path: ctx.path,
          status,
          ms,
          remote_addr: ctx.ip,
          // The context of the record, given as fields: no second child logger per request.
          identifier: requestId,
          user: ctx.state.user?.name ?? null,
        };
        // The name a password login gave, also when it failed (who was guessed at).
        if (ctx.state.loginName !== undefined) record.login_name = ctx.state.loginName;
        if (ctx.state.errorCode !== undefined) record.error_code = ctx.state.errorCode;
        const message = `${ctx.method} ${ctx.path} ${status} ${ms} ms`;
        if (status >= 500) logger.error(message, record);
        else if (accessLog === "info") logger.info(message, record);
        else logger.debug(message, record);
      }
    }
  };
}
