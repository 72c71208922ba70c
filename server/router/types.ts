import type { RouterContext } from "@koa/router";
import type { AuthUser } from "../auth/types.js";
import type { EmbedLinks } from "../embed/embed-links.js";
import type { ServerLogger, ServerRuntime } from "../runtime/types.js";

/** Per-request state every handler can read through `ctx.state`. */
export interface Core4State {
  /** Request id: the envelope's `_id`, the `X-Request-Id` header and the log records' `identifier`. */
  requestId: string;
  /** Logger bound to this request (identifier = request id, user once known). */
  logger: ServerLogger;
  /** The authenticated user; set before a protected handler runs, undefined on public routes. */
  user?: AuthUser;
  /** Set instead of `user` when a signed link let the request in (docs/contracts.md "HTTP", Signed links). */
  signedLink?: { readonly expires: number };
  /** The login name a password login (form, JSON or Basic) gave, for the access log; set even when it failed. */
  loginName?: string;
  /** The stable code of the core4ts error the request ended with (`JOB_NOT_FOUND`), for the access log. */
  errorCode?: string;
}

/** The Koa context of a core4ts route handler. */
export type Core4Context = RouterContext<Core4State>;

/** A route handler: read arguments with `getArgument`, answer with `reply`/`replyHtml` or set `ctx.body`. */
export type Core4Handler = (ctx: Core4Context) => Promise<void> | void;

/** Who may call a route. */
export interface RouteAccess {
  /** Anyone, without login. */
  public?: boolean;
  /**
   * Permission the role must hold (matched against its patterns). Defaults to `api:/` + the route path,
   * e.g. `api://usage/login/raw`. `null`: any logged-in role.
   */
  perm?: string | null;
  /** Only the role `admin`. */
  adminOnly?: boolean;
  /**
   * Also accept a valid signed link instead of a login (GET/HEAD), for embedding in wikis, dashboards and
   * e-mails (docs/contracts.md "HTTP", Signed links).
   */
  embeddable?: boolean;
  /**
   * The route changes nothing, whatever the method (a report that answers POST like GET): the same-origin
   * rule for cookie-authenticated POST/PUT/PATCH/DELETE does not apply. Default: true for `getOrPost`
   * routes, false for the others.
   */
  readOnly?: boolean;
  /**
   * A report computation: one user (or, without login, one client address) may have at most config
   * `server.reportConcurrency` of these running at once; more get 429. Default: true for `getOrPost`
   * routes, false for the others.
   */
  heavy?: boolean;
}

/** What route registration functions receive besides the router. */
export interface RoutesContext {
  /** The runtime: config (`config.section(...)`), MongoDB, logger. */
  readonly runtime: ServerRuntime;
  /** Creates signed links to embeddable routes (e.g. for an "Embed" box on a page). */
  readonly embedLinks?: EmbedLinks;
}

/** HTTP methods a route can answer. */
export type RouteMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
