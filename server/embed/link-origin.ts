import type { Config } from "../../framework/config/index.js";
import type { Core4Context } from "../router/types.js";

/**
 * The origin signed links point to: config `server.publicUrl` when set (docs/contracts.md "Environment"),
 * else the request's own origin (which honours `X-Forwarded-*` only behind a trusted proxy).
 */
export function linkOrigin(config: Config, ctx?: Core4Context): string {
  const configured = config.get("server.publicUrl");
  if (typeof configured === "string" && configured !== "") return configured.replace(/\/+$/, "");
  // Koa 3: `ctx.origin` is the Origin header; the request's own origin is protocol + host.
  if (ctx) return `${ctx.protocol}://${ctx.host}`;
  const server = config.core.server;
  const host = server.host === "0.0.0.0" || server.host === "::" ? "localhost" : server.host;
  return `http://${host.includes(":") ? `[${host}]` : host}:${server.port}`;
}
