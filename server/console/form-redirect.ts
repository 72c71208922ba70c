import type { Middleware, Next, ParameterizedContext } from "koa";
import { safeNext } from "../auth/safe-next.js";
import type { Core4State } from "../router/types.js";
import { CONSOLE_JOBS } from "./paths.js";

const FORM_ROUTES = "/core4/api/v1/jobs";

/**
 * A console form posts to an API route (docs/contracts.md "HTTP" Console): when the route succeeds, a form
 * post (`application/x-www-form-urlencoded`) is answered with `303 See Other` back to the form's `next`
 * field (a same-origin path), or the jobs page, instead of the JSON envelope. Errors stay as they are
 * (a browser gets the HTML error page). JSON and script clients are unaffected.
 */
export function formRedirect(): Middleware<Core4State> {
  return (ctx, next) => {
    if (ctx.method !== "POST" || !ctx.path.startsWith(FORM_ROUTES) || !ctx.request.is("urlencoded")) {
      return next();
    }
    return redirectAfter(ctx, next);
  };
}

async function redirectAfter(ctx: ParameterizedContext<Core4State>, next: Next): Promise<void> {
  // The route's data reply is replaced by the redirect: let it answer JSON whatever the browser accepts.
  // The browser's own Accept is back for the error handler outside, which renders failures as pages.
  const accept = ctx.req.headers.accept;
  ctx.req.headers.accept = "application/json";
  try {
    await next();
  } finally {
    if (accept === undefined) delete ctx.req.headers.accept;
    else ctx.req.headers.accept = accept;
  }
  if (ctx.status < 200 || ctx.status >= 300) return;
  const body = ctx.request.body as Record<string, unknown> | undefined;
  const target = safeNext(body?.next, CONSOLE_JOBS);
  ctx.status = 303;
  ctx.redirect(target);
}
