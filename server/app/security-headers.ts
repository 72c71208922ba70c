import type { Core4Context } from "../router/types.js";

/**
 * The Content-Security-Policy of every HTML reply (docs/contracts.md "HTTP"): no script at all, styles from
 * the page itself, no framing (clickjacking), forms only to this server.
 */
export const HTML_CSP =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/**
 * The policy of standalone SVG replies: an SVG opened as a document could run script, so none is allowed.
 * No `frame-ancestors`: dashboards and wikis embed the charts.
 */
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/**
 * Security headers, decided once the reply is known (error pages and plugin pages included): every reply
 * gets `X-Content-Type-Options: nosniff` and `Referrer-Policy`; HTML replies the CSP above and
 * `X-Frame-Options: DENY` for browsers without `frame-ancestors`; SVG replies their own CSP. A step of
 * the outermost middleware (requestContext), run after the handler and the error handler.
 */
export function securityHeaders(ctx: Core4Context): void {
  ctx.set("X-Content-Type-Options", "nosniff");
  ctx.set("Referrer-Policy", "same-origin");
  const type = ctx.response.type;
  if (type === "text/html") {
    ctx.set("Content-Security-Policy", HTML_CSP);
    ctx.set("X-Frame-Options", "DENY");
  } else if (type === "image/svg+xml") {
    ctx.set("Content-Security-Policy", SVG_CSP);
  }
}
