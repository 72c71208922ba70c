/**
 * core4ts/server: the HTTP toolkit plugin handlers use (routes, arguments, replies, errors, embed links) and
 * the app the CLI starts (`createApp`, `startServer`, `ensureAdmin`, `RoleStore`).
 *
 * Public surface, listed name by name; the rest of server/ is internal. `api/core4ts-server.api.md` is the
 * committed report of it, checked in CI (`npm run api:check`, docs/api.md).
 * @packageDocumentation
 */
export { type Core4App, type CoreRoutes, type CreateAppOptions, createApp } from "./app/create-app.js";
export { type RunningServer, type StartServerOptions, startServer } from "./app/start-server.js";
export type { AppServices, RedisProbe } from "./app/types.js";
export { ensureAdmin } from "./auth/ensure-admin.js";
export type { LoginThrottleOptions } from "./auth/login-throttle.js";
export { RoleStore } from "./auth/role-store.js";
export type { AuthUser, NewRole, RoleCredentials, RoleDocument, RoleInfo, RolePatch } from "./auth/types.js";
export { type ConsolePageOptions, consolePage, type NavPage, withConsoleLayout } from "./console/layout.js";
export { EmbedLinks, type LinkGrant, type LinkRefusal } from "./embed/embed-links.js";
export { DEFAULT_LINK_SECONDS, parseExpires } from "./embed/expires.js";
export { linkOrigin } from "./embed/link-origin.js";
export { HttpError } from "./errors/http-error.js";
export { entityTag, freshReply } from "./reply/etag.js";
export { escapeHtml, type HtmlPageOptions, htmlPage } from "./reply/html.js";
export { negotiate, wantsHtml } from "./reply/negotiate.js";
export { RenderCache, type RenderCacheOptions } from "./reply/render-cache.js";
export { envelope, type ReplyOptions, reply, replyHtml } from "./reply/reply.js";
export { asTable, type Table } from "./reply/table.js";
export type { Envelope, ReplyFormat } from "./reply/types.js";
export { arg, type Bounds } from "./request/arg.js";
export { getArgument, getArguments, rawArgument } from "./request/get-argument.js";
export { Core4Router, type PageInfo, type RouteInfo } from "./router/core4-router.js";
export { defineRoutes, type PluginRoutes } from "./router/define-routes.js";
export type {
  Core4Context,
  Core4Handler,
  Core4State,
  RouteAccess,
  RouteMethod,
  RoutesContext,
} from "./router/types.js";
export { JOBS_MANAGE_PERMISSION, JOBS_READ_PERMISSION } from "./routes/job-routes.js";
export type { JobsApi, JobsListFilter } from "./routes/jobs-api.js";
export type { LogBindings, LogExtra, ServerLogger, ServerRuntime } from "./runtime/types.js";
