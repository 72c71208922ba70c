import type { Context } from "koa";
import { HttpError } from "../errors/http-error.js";

/** Methods that change state unless a route declares itself read-only. */
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Whether a request's method changes state (POST, PUT, PATCH, DELETE). */
export function isStateChangingMethod(method: string): boolean {
  return STATE_CHANGING.has(method);
}

/**
 * docs/contracts.md "HTTP", same-origin rule: a state-changing request authenticated by the login cookie
 * must come from the server's own origin. `SameSite=Lax` does not cover this: a page on another port or a
 * sibling subdomain is the same *site*, and its forms and `fetch` calls carry the cookie. Browsers name the
 * page a request comes from in `Origin` and `Sec-Fetch-Site`, headers a page cannot forge.
 */
export class SameOriginRule {
  private readonly publicOrigin: string | undefined;

  /** @param publicUrl Config `server.publicUrl`; without it the origin is taken from the request. */
  constructor(publicUrl: string | undefined) {
    this.publicOrigin = publicUrl ? new URL(publicUrl).origin : undefined;
  }

  /** The server's own origin: `server.publicUrl`, else the request's scheme and `Host`. */
  ownOrigin(ctx: Context): string {
    return this.publicOrigin ?? `${ctx.protocol}://${ctx.host}`;
  }

  /** Whether cookies get the `Secure` flag: an https `server.publicUrl`, else an https request. */
  secureCookies(ctx: Context): boolean {
    return this.publicOrigin ? this.publicOrigin.startsWith("https:") : ctx.secure;
  }

  /** Whether the browser says the request comes from the server's own origin. */
  isSameOrigin(ctx: Context): boolean {
    const origin = ctx.get("Origin");
    if (origin !== "" && origin === this.ownOrigin(ctx)) return true;
    return ctx.get("Sec-Fetch-Site") === "same-origin";
  }

  /**
   * Whether a browser says the request comes from another origin. Requests without `Origin` and
   * `Sec-Fetch-Site` (scripts, curl) are not foreign: this is for unauthenticated forms like login.
   */
  isForeign(ctx: Context): boolean {
    const origin = ctx.get("Origin");
    if (origin !== "") return origin !== this.ownOrigin(ctx) && ctx.get("Sec-Fetch-Site") !== "same-origin";
    const site = ctx.get("Sec-Fetch-Site");
    return site !== "" && site !== "same-origin" && site !== "none";
  }

  /** @throws HttpError 403 naming the rule when the request does not come from the own origin. */
  enforce(ctx: Context): void {
    if (this.isSameOrigin(ctx)) return;
    throw HttpError.forbidden(
      `same-origin rule: a ${ctx.method} authenticated by the login cookie must come from ${this.ownOrigin(ctx)} ` +
        "(Origin or Sec-Fetch-Site: same-origin); scripts authenticate with Authorization: Bearer or Basic",
    );
  }

  /** @throws HttpError 403 when a browser sends this from another origin (login CSRF). */
  refuseForeign(ctx: Context, what: string): void {
    if (!this.isForeign(ctx)) return;
    throw HttpError.forbidden(
      `same-origin rule: ${what} is only accepted from pages of ${this.ownOrigin(ctx)}, not from ${ctx.get("Origin") || "another site"}`,
    );
  }
}
