import { randomUUID } from "node:crypto";
import type { Middleware } from "koa";
import type { Core4State } from "../router/types.js";
import type { ServerLogger } from "../runtime/types.js";

/**
 * Outermost middleware: gives each request an id (`X-Request-Id`, the envelope's `_id`) and a logger bound
 * to it, and writes one access-log record per request once the reply is decided: method, path (never the
 * query, which may carry secrets), status, milliseconds, user, the name a password login gave
 * (`login_name`) and the code of the core4ts error it ended with (`error_code`), at config
 * `server.accessLog`'s level.
 */
export function requestContext(
  logger: ServerLogger,
  accessLog: "info" | "debug" | "off" = "info",
): Middleware<Core4State> {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.logger = logger.child({ identifier: requestId });
    ctx.set("X-Request-Id", requestId);
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const user = ctx.state.user?.name ?? null;
      const record: Record<string, unknown> = {
        method: ctx.method,
        path: ctx.path,
        status: ctx.status,
        ms,
        remote_addr: ctx.ip,
      };
      // The name a password login gave, also when it failed (who was guessed at).
      if (ctx.state.loginName !== undefined) record.login_name = ctx.state.loginName;
      if (ctx.state.errorCode !== undefined) record.error_code = ctx.state.errorCode;
      const message = `${ctx.method} ${ctx.path} ${ctx.status} ${ms} ms`;
      const bound = ctx.state.logger.child({ identifier: requestId, user });
      if (ctx.status >= 500) bound.error(message, record);
      else if (accessLog === "info") bound.info(message, record);
      else if (accessLog === "debug") bound.debug(message, record);
    }
  };
}
