import type { Middleware } from "koa";
import { Core4Error } from "../../framework/errors/index.js";
import { HttpError } from "../errors/http-error.js";
import { httpStatusOf, toHttpError } from "../errors/http-status.js";
import { errorPage } from "../pages/error-page.js";
import { LOGIN_PAGE_PATH } from "../pages/login-page.js";
import { wantsHtml } from "../reply/negotiate.js";
import { envelope } from "../reply/reply.js";
import type { Core4Context, Core4State } from "../router/types.js";
import { withTimeout } from "./request-timeout.js";

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  /** Largest body in bytes, named in 413 replies. */
  bodyLimit: number;
  /** Include stack traces of unexpected errors in replies (NODE_ENV=development only). */
  development: boolean;
  /** Answer 503 when the rest of the chain has not finished within this many ms (`server.requestTimeout`). */
  requestTimeout?: number;
}

/**
 * Turns every error and every unanswered request into a reply: the JSON envelope with `error`, or an HTML
 * page for browsers. A 401 on a browser GET redirects to the login page with a `next` back here.
 * The status comes from server/errors/http-status.ts. Unexpected errors are logged with their stack and
 * code and answered with 500 (503 for an unavailable service) and no detail (except in development).
 * With `requestTimeout`, a handler still running after that time is answered 503 (its late result is
 * discarded).
 */
export function errorHandler(options: ErrorHandlerOptions): Middleware<Core4State> {
  return async (ctx, next) => {
    let failure: HttpError;
    let traceback: string | undefined;
    try {
      if (options.requestTimeout === undefined) await next();
      else await withTimeout(next(), options.requestTimeout);
      if (ctx.body !== undefined && ctx.body !== null) return;
      if (ctx.status === 404) failure = HttpError.notFound(`no route for ${ctx.method} ${ctx.path}`);
      else if (ctx.status === 405) {
        failure = new HttpError(
          405,
          `method ${ctx.method} not allowed for ${ctx.path}: use ${ctx.response.get("Allow")}`,
        );
      } else if (ctx.status === 501) failure = new HttpError(501, `method ${ctx.method} is not supported`);
      else return;
    } catch (error) {
      // The stable code goes to the access log, never into the envelope (docs/contracts.md "HTTP").
      if (Core4Error.is(error) && error.code !== "HTTP_ERROR") ctx.state.errorCode = error.code;
      const known = toHttpError(error, options.bodyLimit);
      if (known) failure = known;
      else {
        ctx.state.logger.error("unexpected error in request handler", {
          error: error instanceof Error ? error.message : String(error),
          code: Core4Error.is(error) ? error.code : undefined,
          traceback: error instanceof Error ? error.stack : undefined,
        });
        // 500, or the 5xx the error's kind gives (503 for a service that cannot be reached).
        const status = Math.max(httpStatusOf(error), 500);
        const what = status === 503 ? "service unavailable" : "internal error";
        failure = new HttpError(status, `${what}: see the server log for request ${ctx.state.requestId}`);
        if (options.development && error instanceof Error) traceback = error.stack;
      }
    }
    render(ctx as Core4Context, failure, traceback);
  };
}

function render(ctx: Core4Context, failure: HttpError, traceback: string | undefined): void {
  for (const [name, value] of Object.entries(failure.headers)) ctx.set(name, value);
  const html = wantsHtml(ctx);
  if (failure.status === 401 && html && (ctx.method === "GET" || ctx.method === "HEAD")) {
    ctx.status = 302;
    ctx.redirect(`${LOGIN_PAGE_PATH}?next=${encodeURIComponent(ctx.originalUrl)}`);
    return;
  }
  ctx.status = failure.status;
  if (html) {
    ctx.type = "text/html; charset=utf-8";
    ctx.body = errorPage(failure.status, failure.message, ctx.state.requestId);
    return;
  }
  const body = envelope(ctx, failure.status, null, failure.message);
  if (traceback) body.traceback = traceback;
  ctx.body = body;
}
