import type { Middleware } from "koa";
import { HttpError } from "../errors/http-error.js";
import { errorPage } from "../pages/error-page.js";
import { LOGIN_PAGE_PATH } from "../pages/login-page.js";
import { wantsHtml } from "../reply/negotiate.js";
import { envelope } from "../reply/reply.js";
import type { Core4Context, Core4State } from "../router/types.js";

/** Errors raised by Koa and its middleware (body parser, `ctx.throw`) carry these fields. */
interface ExposedError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

function toHttpError(error: unknown, bodyLimit: number): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const e = (error ?? {}) as ExposedError;
  const status = e.status ?? e.statusCode;
  if (typeof status !== "number" || status < 400 || status > 599) return undefined;
  if (status === 413) return new HttpError(413, `request body larger than the limit of ${bodyLimit} bytes`);
  return e.expose && e.message ? new HttpError(status, e.message.split("\n")[0] as string) : undefined;
}

/** Options of {@link errorHandler}. */
export interface ErrorHandlerOptions {
  /** Largest body in bytes, named in 413 replies. */
  bodyLimit: number;
  /** Include stack traces of unexpected errors in replies (NODE_ENV=development only). */
  development: boolean;
}

/**
 * Turns every error and every unanswered request into a reply: the JSON envelope with `error`, or an HTML
 * page for browsers. A 401 on a browser GET redirects to the login page with a `next` back here.
 * Unexpected errors are logged with their stack and answered with 500 and no detail (except in
 * development).
 */
export function errorHandler(options: ErrorHandlerOptions): Middleware<Core4State> {
  return async (ctx, next) => {
    let failure: HttpError;
    let traceback: string | undefined;
    try {
      await next();
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
      const known = toHttpError(error, options.bodyLimit);
      if (known) failure = known;
      else {
        ctx.state.logger.error("unexpected error in request handler", {
          error: error instanceof Error ? error.message : String(error),
          traceback: error instanceof Error ? error.stack : undefined,
        });
        failure = new HttpError(500, `internal error: see the server log for request ${ctx.state.requestId}`);
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
