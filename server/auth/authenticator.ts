import { HttpError } from "../errors/http-error.js";
import type { Core4Context } from "../router/types.js";
import type { LoginEventWriter } from "./login-event-writer.js";
import { checkLoginName } from "./login-name.js";
import type { LoginThrottle } from "./login-throttle.js";
import type { RoleStore } from "./role-store.js";
import type { TokenService } from "./token-service.js";
import type { AuthUser, RoleCredentials, RoleInfo } from "./types.js";

/** Name of the HttpOnly cookie carrying the login token. */
export const TOKEN_COOKIE = "core4_token";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="core4"' };

function toUser(role: RoleInfo, via: AuthUser["via"]): AuthUser {
  return { name: role.name, perm: role.perm, isAdmin: role.name === "admin", via };
}

/**
 * The client address used for throttling and logs: the socket's, or behind `server.trustProxy` the one the
 * nearest trusted proxy saw (Koa's `proxy` with `maxIpsCount` = `server.proxyHops`).
 */
export function clientAddress(ctx: Core4Context): string {
  return ctx.ip || "unknown";
}

/**
 * Finds out who sent a request: `Authorization: Bearer <token>`, `Authorization: Basic`, or the login
 * cookie, in that order. Token holders are re-checked against `sys.role` (reused for `roleCacheMs`), so
 * removing or deactivating a role, changing its password or revoking its tokens takes effect within that
 * time. None of these write a login event.
 */
export class Authenticator {
  private readonly cache = new Map<
    string,
    { credentials: Promise<RoleCredentials | undefined>; until: number }
  >();

  /**
   * @param roleCacheMs How long a token holder's role is reused before `sys.role` is read again: a removed
   *   or deactivated role loses access within this time. 0 reads it on every request.
   */
  constructor(
    private readonly roles: RoleStore,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly roleCacheMs = 1_000,
    private readonly loginEvents?: LoginEventWriter,
  ) {}

  /** The user of a request; undefined when it carries no credentials; 401 when they are invalid. */
  async authenticate(ctx: Core4Context): Promise<AuthUser | undefined> {
    const header = ctx.get("Authorization");
    if (header) {
      const space = header.indexOf(" ");
      const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
      const value = space < 0 ? "" : header.slice(space + 1).trim();
      if (scheme === "bearer") return this.fromToken(value, "token");
      if (scheme === "basic") return this.fromBasic(ctx, value);
      throw new HttpError(
        401,
        `unsupported Authorization scheme "${scheme}": use Bearer or Basic`,
        CHALLENGE,
      );
    }
    const cookie = ctx.cookies.get(TOKEN_COOKIE);
    if (cookie) {
      const user = await this.tokenUser(cookie, "cookie");
      if (user) return user;
      // A stale cookie is not an error: drop it and treat the request as anonymous.
      ctx.cookies.set(TOKEN_COOKIE, null);
    }
    return undefined;
  }

  private async fromToken(token: string, via: AuthUser["via"]): Promise<AuthUser> {
    const user = await this.tokenUser(token, via);
    if (!user) throw new HttpError(401, "token invalid or expired: log in again", CHALLENGE);
    return user;
  }

  private async tokenUser(token: string, via: AuthUser["via"]): Promise<AuthUser | undefined> {
    const claims = await this.tokens.verify(token);
    if (!claims) return undefined;
    const found = await this.credentials(claims.name);
    if (!found?.role.is_active || found.tokenVersion !== claims.ver) return undefined;
    return toUser(found.role, via);
  }

  private credentials(name: string): Promise<RoleCredentials | undefined> {
    if (this.roleCacheMs <= 0) return this.roles.credentials(name);
    const now = Date.now();
    const hit = this.cache.get(name);
    if (hit && hit.until > now) return hit.credentials;
    // Concurrent requests of one role share one read; the entry is reused until `until` (read time +
    // roleCacheMs), so a change made elsewhere is seen within roleCacheMs of being stored.
    const credentials = this.roles.credentials(name);
    if (this.cache.size >= 10_000) this.cache.clear();
    const entry = { credentials, until: Number.POSITIVE_INFINITY };
    this.cache.set(name, entry);
    credentials.then(
      () => {
        entry.until = now + this.roleCacheMs;
      },
      () => {
        if (this.cache.get(name) === entry) this.cache.delete(name);
      },
    );
    return credentials;
  }

  /** Forgets a cached role (after this process changed it). */
  forget(name: string): void {
    this.cache.delete(name);
  }

  private async fromBasic(ctx: Core4Context, value: string): Promise<AuthUser> {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 1)
      throw new HttpError(401, "malformed Basic credentials: expected base64(name:password)", CHALLENGE);
    const name = checkLoginName(decoded.slice(0, colon));
    const password = decoded.slice(colon + 1);
    ctx.state.loginName = name;
    const address = clientAddress(ctx);
    const role = await this.throttle.attempt(name, address, () => this.roles.verify(name, password));
    if (!role) {
      await this.throttle.failure(name, address);
      // Guesses over Basic leave the same trace as those at the login endpoint.
      await this.loginEvents?.failure(name, ctx.state.requestId, address).catch((error: unknown) => {
        ctx.state.logger.error("cannot record failed login", { error: String(error) });
      });
      throw new HttpError(401, "wrong name or password", CHALLENGE);
    }
    await this.throttle.success(name, address);
    return toUser(role, "basic");
  }
}
