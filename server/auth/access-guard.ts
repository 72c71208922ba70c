import type { Middleware } from "koa";
import type { ReportLimiter } from "../app/report-limiter.js";
import type { SignedLinkAccess } from "../embed/signed-link-access.js";
import { HttpError } from "../errors/http-error.js";
import type { Core4Context, Core4State, RouteAccess } from "../router/types.js";
import type { Authenticator } from "./authenticator.js";
import { hasPermission } from "./permissions.js";
import { isStateChangingMethod, type SameOriginRule } from "./same-origin-rule.js";

/** The permission a route requires when it declares none: `api:/` + its path (`api://usage/login`). */
export function defaultPermission(path: string): string {
  return `api:/${path.startsWith("/") ? path : `/${path}`}`;
}

const PASS: Middleware<Core4State> = (_ctx, next) => next();

/**
 * Builds the middleware that protects a route, in this order: authentication (who is it), the same-origin
 * rule (a cookie-authenticated state-changing request from another origin is refused), admin-only and
 * permission rules, then the heavy-report limit. Public routes skip the first three (and cost no database
 * lookup).
 */
export class AccessGuard {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly sameOrigin: SameOriginRule,
    private readonly reports?: ReportLimiter,
    private readonly signedLinks?: SignedLinkAccess,
  ) {}

  /** Middleware enforcing `access` for the route at `path`; undefined when there is nothing to enforce. */
  middleware(access: RouteAccess, path: string): Middleware<Core4State> | undefined {
    const limit = access.heavy && this.reports ? this.reports.middleware() : PASS;
    if (access.public) return limit === PASS ? undefined : limit;
    const permission = access.perm === undefined ? defaultPermission(path) : access.perm;
    const readOnly = access.readOnly === true;
    return async (ctx, next) => {
      // Signed links (docs/contracts.md "HTTP"): an embeddable route takes a valid signature instead of a login.
      if (this.signedLinks?.admit(ctx as Core4Context, access)) return limit(ctx, next);
      const user = await this.authenticator.authenticate(ctx as Core4Context);
      if (!user) throw new HttpError(401, "login required", { "WWW-Authenticate": 'Bearer realm="core4"' });
      ctx.state.user = user;
      ctx.state.logger = ctx.state.logger.child({ identifier: ctx.state.requestId, user: user.name });
      if (user.via === "cookie" && !readOnly && isStateChangingMethod(ctx.method)) {
        this.sameOrigin.enforce(ctx);
      }
      if (access.adminOnly && !user.isAdmin) throw HttpError.forbidden("only role admin may do this");
      if (permission !== null && !hasPermission(user, permission)) {
        throw HttpError.forbidden(`permission denied: role "${user.name}" lacks "${permission}"`);
      }
      await limit(ctx, next);
    };
  }
}
