import type { AppServices } from "../app/types.js";
import { defaultPermission } from "../auth/access-guard.js";
import { hasPermission } from "../auth/permissions.js";
import { type EmbedLinks, EXPIRES_PARAM, SIGNATURE_PARAM } from "../embed/embed-links.js";
import { parseExpires } from "../embed/expires.js";
import { linkOrigin } from "../embed/link-origin.js";
import { HttpError } from "../errors/http-error.js";
import { reply } from "../reply/reply.js";
import { rawArgument } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";

/** Path of the route that creates signed links. */
export const EMBED_API_PATH = "/core4/api/v1/embed";

/** Reads the `args` of a link: an object (or its JSON text) of scalar values, as strings. */
export function linkArgs(value: unknown): Record<string, string> {
  let parsed = value;
  if (typeof value === "string") {
    if (value.trim() === "") return {};
    try {
      parsed = JSON.parse(value);
    } catch {
      throw HttpError.badRequest('args: expected an object of arguments such as {"aggregate": "month"}');
    }
  }
  if (parsed === undefined || parsed === null) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed)) {
    throw HttpError.badRequest('args: expected an object of arguments such as {"aggregate": "month"}');
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === EXPIRES_PARAM || name === SIGNATURE_PARAM) {
      throw HttpError.badRequest(`args.${name}: reserved for the signed link itself`);
    }
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
      throw HttpError.badRequest(`args.${name.slice(0, 40)}: expected a string, number or boolean`);
    }
    out[name] = String(v);
  }
  return out;
}

/** Checks a link's path: absolute, without query or fragment, and a route that accepts signed links. */
export function embeddablePath(router: Core4Router, value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw HttpError.badRequest("path: expected the route's path, e.g. /usage/login/plot");
  }
  if (/[?#]/.test(value)) throw HttpError.badRequest("path: give the arguments in args, not in the path");
  if (router.embeddable(value) === undefined) {
    throw HttpError.badRequest(`path: ${value.slice(0, 80)} is not a route that accepts signed links`);
  }
  return value;
}

/**
 * `POST /core4/api/v1/embed` `{path, args, expires}` (docs/contracts.md "HTTP", Signed links): returns a
 * signed URL for an embeddable route. The caller needs the permission of that route itself.
 */
export function registerEmbedRoutes(router: Core4Router, services: AppServices, links: EmbedLinks): void {
  router.post(
    EMBED_API_PATH,
    (ctx) => {
      const path = embeddablePath(router, rawArgument(ctx, "path"));
      const access = router.embeddable(path) ?? {};
      const user = ctx.state.user;
      const permission = access.perm === undefined ? defaultPermission(path) : access.perm;
      if (
        !user ||
        (access.adminOnly && !user.isAdmin) ||
        (permission !== null && !hasPermission(user, permission))
      ) {
        throw HttpError.forbidden(
          `permission denied: a signed link to ${path} needs "${permission ?? "admin"}"`,
        );
      }
      const args = linkArgs(rawArgument(ctx, "args"));
      const expires = parseExpires(rawArgument(ctx, "expires"), links.maxDays);
      const url = links.url(linkOrigin(services.runtime.config, ctx), path, args, expires);
      reply(ctx, { url, path, args, expires, expiresAt: new Date(expires * 1000).toISOString() });
    },
    { perm: null },
  );
}
