import type Router from "@koa/router";
import type { Middleware } from "koa";
import type { AccessGuard } from "../auth/access-guard.js";
import { defaultPermission } from "../auth/access-guard.js";
import type { Core4Context, Core4Handler, Core4State, RouteAccess, RouteMethod } from "./types.js";

/** A registered route, for listings and docs. */
export interface RouteInfo {
  readonly methods: readonly RouteMethod[];
  readonly path: string;
  /** `public`, `admin`, `user` (any logged-in role) or the permission required. */
  readonly access: string;
  /** Accepts signed links instead of a login. */
  readonly embeddable: boolean;
}

/** A page the console's navigation lists (see {@link Core4Router.page}). */
export interface PageInfo {
  readonly path: string;
  readonly title: string;
  /** `public`, `admin`, `user` or the permission required to open it, as for routes. */
  readonly access: string;
}

/**
 * The router plugins and the core API register routes on. Every route is protected unless declared
 * `public: true`: the request must be authenticated and hold the route's permission (by default
 * `api:/` + the path, e.g. `api://usage/login/raw`).
 */
export class Core4Router {
  private readonly registered: RouteInfo[] = [];
  private readonly embeddableRoutes = new Map<string, RouteAccess>();
  private readonly listed: PageInfo[] = [];

  /** @internal Created by the app; plugins receive one. */
  constructor(
    private readonly router: Router<Core4State>,
    private readonly guard: AccessGuard,
  ) {}

  /** Registers a GET route (HEAD is answered too). */
  get(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["GET"], path, handler, access);
  }

  /** Registers a POST route. */
  post(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["POST"], path, handler, access);
  }

  /** Registers a PUT route. */
  put(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["PUT"], path, handler, access);
  }

  /** Registers a PATCH route. */
  patch(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["PATCH"], path, handler, access);
  }

  /** Registers a DELETE route. */
  delete(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["DELETE"], path, handler, access);
  }

  /**
   * Registers a route answering GET and POST alike (arguments come from the query or the body). Such a
   * route behaves the same for both, so it is read-only and a report computation (`readOnly`, `heavy`)
   * unless `access` says otherwise.
   */
  getOrPost(path: string, handler: Core4Handler, access: RouteAccess = {}): this {
    return this.route(["GET", "POST"], path, handler, { readOnly: true, heavy: true, ...access });
  }

  /** Registers a handler for the given methods. */
  route(
    methods: readonly RouteMethod[],
    path: string,
    handler: Core4Handler,
    access: RouteAccess = {},
  ): this {
    if (!path.startsWith("/")) throw new Error(`route path "${path}" must start with "/"`);
    const guard = this.guard.middleware(access, path);
    const run: Middleware<Core4State> = (ctx) => handler(ctx as Core4Context);
    // A public route without a report limit has no guard to run: one layer less per request.
    this.router.register(path, [...methods], guard ? [guard, run] : [run]);
    const embeddable = Boolean(access.embeddable && !access.public);
    this.registered.push({ methods: [...methods], path, access: describeAccess(access, path), embeddable });
    if (embeddable) this.embeddableRoutes.set(path, access);
    return this;
  }

  /** The access rule of an embeddable route at exactly `path`, or undefined when there is none. */
  embeddable(path: string): RouteAccess | undefined {
    return this.embeddableRoutes.get(path);
  }

  /**
   * Lists a page for browsers in the console's navigation and on `/core4`, shown to users who may open it
   * (`access` as the page's route declares it; by default `api:/` + the path). The route itself is
   * registered as usual (a GET route without required arguments).
   */
  page(path: string, title: string, access: RouteAccess = {}): this {
    if (!path.startsWith("/")) throw new Error(`page path "${path}" must start with "/"`);
    this.listed.push({ path, title, access: describeAccess(access, path) });
    return this;
  }

  /** The pages listed so far, in order. */
  get pages(): readonly PageInfo[] {
    return this.listed;
  }

  /** The routes registered so far. */
  get routes(): readonly RouteInfo[] {
    return this.registered;
  }
}

function describeAccess(access: RouteAccess, path: string): string {
  if (access.public) return "public";
  if (access.adminOnly) return "admin";
  if (access.perm === null) return "user";
  return access.perm ?? defaultPermission(path);
}
