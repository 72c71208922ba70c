import { bodyParser } from "@koa/bodyparser";
import Router from "@koa/router";
import Koa, { type Middleware } from "koa";
import type { Plugin } from "../../framework/plugin.js";
import { AccessGuard } from "../auth/access-guard.js";
import { Authenticator } from "../auth/authenticator.js";
import { LoginEventWriter } from "../auth/login-event-writer.js";
import { LoginThrottle, type LoginThrottleOptions } from "../auth/login-throttle.js";
import { RoleStore } from "../auth/role-store.js";
import { SameOriginRule } from "../auth/same-origin-rule.js";
import { resolveSecret } from "../auth/secret.js";
import { TokenService } from "../auth/token-service.js";
import { registerConsole } from "../console/console-routes.js";
import { formRedirect } from "../console/form-redirect.js";
import { EmbedLinks } from "../embed/embed-links.js";
import { SignedLinkAccess } from "../embed/signed-link-access.js";
import { HttpError } from "../errors/http-error.js";
import { Core4Metrics } from "../metrics/core4-metrics.js";
import { Core4Router, type PageInfo, type RouteInfo } from "../router/core4-router.js";
import type { PluginRoutes } from "../router/define-routes.js";
import type { Core4State } from "../router/types.js";
import { registerAuthRoutes } from "../routes/auth-routes.js";
import { registerEmbedRoutes } from "../routes/embed-routes.js";
import { registerHealthRoutes } from "../routes/health-routes.js";
import { jobRoutes } from "../routes/job-routes.js";
import type { JobsApi } from "../routes/jobs-api.js";
import { registerRoleRoutes } from "../routes/role-routes.js";
import type { ServerRuntime } from "../runtime/types.js";
import { errorHandler } from "./error-handler.js";
import { redisProbe } from "./redis-probe.js";
import { ReportLimiter } from "./report-limiter.js";
import { requestContext } from "./request-context.js";
import { securityHeaders } from "./security-headers.js";
import { throttleRedis } from "./throttle-redis.js";
import type { AppServices } from "./types.js";

/** Registers extra core routes (the jobs API) on the app's router. */
export type CoreRoutes = (router: Core4Router, services: AppServices) => void;

/** Options of {@link createApp}. */
export interface CreateAppOptions {
  /** Config, MongoDB, logger and Redis URL (the framework's `Runtime`). */
  runtime: ServerRuntime;
  /** Plugins whose `routes` are mounted (defaults to none). */
  plugins?: readonly Plugin<unknown, unknown>[];
  /** The job queue (`JobQueue`) behind the jobs API; without it the jobs routes answer 503. */
  queue?: JobsApi;
  /** More core routes registered beside the built-in ones. */
  coreRoutes?: readonly CoreRoutes[];
  /**
   * How long a token holder's role is reused before sys.role is read again, in ms (default 1000): a
   * removed or deactivated role loses access within this time. 0 reads it on every request.
   */
  roleCacheMs?: number;
  /**
   * How long one MongoDB and Redis probe answers `health`, in ms from its start (default 1000): a flood of
   * health checks costs each service one ping per this time; an outage shows within it (plus the ping's
   * 2 s timeout). 0 probes for every request that does not find a probe running.
   */
  healthCacheMs?: number;
  /** Tuning of the login slow-down (tests use small delays). */
  loginThrottle?: LoginThrottleOptions;
  /**
   * Trust `X-Forwarded-For`/`-Proto` from a reverse proxy (Koa's `proxy`): the client address used for
   * login throttling and logs is then the one the nearest of `server.proxyHops` trusted proxies saw (a
   * value the client wrote itself is never used). Only enable it behind a proxy that sets them. Default:
   * config `server.trustProxy`.
   */
  trustProxy?: boolean;
  /** Environment for NODE_ENV checks (defaults to `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** The Koa app of core4ts, with the routes it serves and a way to release its connections. */
export interface Core4App extends Koa<Core4State> {
  /** Every registered route with its access rule. */
  readonly core4Routes: readonly RouteInfo[];
  /** Signs links to the embeddable routes (`coco embed-link`). */
  readonly embedLinks: EmbedLinks;
  /** The pages listed in the console's navigation. */
  readonly core4Pages: readonly PageInfo[];
  /** Closes the app's own connections (the Redis probe). The runtime is the caller's to close. */
  dispose(): Promise<void>;
}

function isPluginRoutes(value: unknown): value is PluginRoutes {
  return typeof value === "function";
}

/** GET and HEAD skip the body parser (which parses POST, PUT and PATCH only) without its async layer. */
/**
 * The body parser and then the console's form redirect, as one layer that GET and HEAD pass straight
 * through: they carry no body and are no form posts.
 */
function requestBody(parser: Middleware<Core4State>, forms: Middleware<Core4State>): Middleware<Core4State> {
  return (ctx, next) =>
    ctx.method === "GET" || ctx.method === "HEAD" ? next() : parser(ctx, () => forms(ctx, next));
}

/** The one-line client error for a body the parser refused. */
function bodyError(error: Error, limit: number): HttpError {
  const status = (error as { status?: number }).status;
  if (status === 413) return new HttpError(413, `request body larger than the limit of ${limit} bytes`);
  if (status === 415) return new HttpError(415, "unsupported request body type: send JSON or a form");
  if (error instanceof SyntaxError || status === 400)
    return HttpError.badRequest("request body is not valid JSON");
  return new HttpError(400, `request body cannot be read: ${error.message.split("\n")[0]}`);
}

/**
 * Builds the Koa app: request ids and access log, errors in the envelope (or as pages for browsers), body
 * limit and request timeout from `server.*` config, authentication, the core API under `/core4/api/v1`
 * and every plugin's routes.
 *
 * @throws Error when NODE_ENV=production and no `server.secret` (CORE4_SECRET) is configured.
 */
export function createApp(options: CreateAppOptions): Core4App {
  const { runtime } = options;
  const env = options.env ?? process.env;
  const server = runtime.config.core.server;
  const secret = resolveSecret({ secret: server.secret, home: runtime.config.core.home, env });

  const roles = new RoleStore(runtime.mongo.sys("role"));
  const tokens = new TokenService(secret, server.tokenTtl);
  // The login slow-down lives in Redis, so every server process shares one budget (docs/contracts.md "Scale-out").
  const shared = throttleRedis(runtime.redisUrl);
  const throttle = new LoginThrottle(options.loginThrottle, {
    redis: shared.client,
    keyPrefix: runtime.config.core.redis.prefix,
  });
  const loginEvents = new LoginEventWriter(runtime.mongo.sys("log"));
  const authenticator = new Authenticator(roles, tokens, throttle, options.roleCacheMs, loginEvents);
  const sameOrigin = new SameOriginRule(server.publicUrl);
  const redis = redisProbe(runtime.redisUrl);
  const services: AppServices = {
    runtime,
    roles,
    tokens,
    throttle,
    authenticator,
    loginEvents,
    sameOrigin,
    redisProbe: redis.probe,
  };

  const koaRouter = new Router<Core4State>();
  const embedLinks = new EmbedLinks(secret, server.embedMaxDays);
  const guard = new AccessGuard(
    authenticator,
    sameOrigin,
    new ReportLimiter(server.reportConcurrency),
    new SignedLinkAccess(embedLinks),
  );
  const router = new Core4Router(koaRouter, guard);
  registerHealthRoutes(router, services, options.healthCacheMs);
  registerAuthRoutes(router, services);
  registerRoleRoutes(router, services);
  // Before the jobs API: its `jobs/:id` would otherwise take `jobs/types`.
  const consoleParts = registerConsole(router, services, {
    queue: options.queue,
    plugins: options.plugins ?? [],
  });
  const metrics = new Core4Metrics(consoleParts.types, server.metricsToken);
  metrics.register(router);
  jobRoutes(options.queue)(router, services);
  registerEmbedRoutes(router, services, embedLinks);
  for (const register of options.coreRoutes ?? []) register(router, services);
  for (const plugin of options.plugins ?? []) {
    if (plugin.routes === undefined) continue;
    if (!isPluginRoutes(plugin.routes)) {
      throw new Error(
        `plugin "${plugin.name}": routes must be a function (router, context) => void (see defineRoutes)`,
      );
    }
    plugin.routes(router, { runtime, embedLinks });
  }

  const app = new Koa<Core4State>({ env: env.NODE_ENV ?? "development" });
  app.proxy = options.trustProxy ?? server.trustProxy;
  // Without a count Koa takes the leftmost X-Forwarded-For entry, which the client writes itself.
  app.maxIpsCount = server.proxyHops;
  app.silent = true; // errors are logged by the error handler, with the request id
  // Few layers on purpose: each costs every request a promise and a closure (docs/http.md "Performance").
  app.use(requestContext(runtime.logger, server.accessLog, [securityHeaders, metrics.record]));
  app.use(
    errorHandler({
      bodyLimit: server.bodyLimit,
      development: env.NODE_ENV === "development",
      requestTimeout: server.requestTimeout,
    }),
  );
  app.use(
    requestBody(
      bodyParser({
        enableTypes: ["json", "form"],
        jsonLimit: server.bodyLimit,
        formLimit: server.bodyLimit,
        encoding: "utf-8",
        onError: (error) => {
          throw bodyError(error, server.bodyLimit);
        },
      }),
      formRedirect(),
    ),
  );
  app.use(koaRouter.routes());
  app.use(koaRouter.allowedMethods());

  return Object.assign(app, {
    core4Routes: router.routes,
    embedLinks,
    core4Pages: router.pages,
    dispose: async () => {
      await Promise.all([redis.close(), shared.close(), consoleParts.close()]);
    },
  });
}
