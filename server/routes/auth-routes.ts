import type { AppServices } from "../app/types.js";
import { clientAddress, TOKEN_COOKIE } from "../auth/authenticator.js";
import { checkLoginName } from "../auth/login-name.js";
import { safeNext } from "../auth/safe-next.js";
import { HttpError } from "../errors/http-error.js";
import { LOGIN_API_PATH, LOGIN_PAGE_PATH, LOGOUT_API_PATH, loginPage } from "../pages/login-page.js";
import { wantsHtml } from "../reply/negotiate.js";
import { reply, replyHtml } from "../reply/reply.js";
import { arg } from "../request/arg.js";
import { getArgument, rawArgument } from "../request/get-argument.js";
import type { Core4Router } from "../router/core4-router.js";
import type { Core4Context } from "../router/types.js";

/**
 * `POST /core4/api/v1/login`, `logout`, `profile` and the HTML login page. The login endpoint is the one
 * place that writes login events to sys.log: one per attempt, awaited.
 */
export function registerAuthRoutes(router: Core4Router, services: AppServices): void {
  const { roles, tokens, throttle, loginEvents, authenticator, sameOrigin } = services;

  const login = async (ctx: Core4Context): Promise<void> => {
    noStore(ctx);
    // Login CSRF: a page of another origin must not log the victim in as the attacker.
    sameOrigin.refuseForeign(ctx, "a login");
    const fromForm = ctx.request.is("urlencoded") !== false;
    const next = safeNext(rawArgument(ctx, "next"));
    const name = checkLoginName(
      getArgument(ctx, "username", arg.string().min(1, { error: "expected a login name" })),
    );
    ctx.state.loginName = name;
    const password = getArgument(ctx, "password", arg.string().min(1, { error: "expected a password" }));
    const address = clientAddress(ctx);
    const role = await throttle.attempt(name, address, () => roles.verify(name, password));
    if (!role) {
      await throttle.failure(name, address);
      try {
        await loginEvents.failure(name, ctx.state.requestId, address);
      } catch (error) {
        ctx.state.logger.error("cannot record failed login", { error: String(error) });
      }
      if (fromForm) {
        ctx.status = 303;
        ctx.redirect(`${LOGIN_PAGE_PATH}?error=1&next=${encodeURIComponent(next)}`);
        return;
      }
      throw new HttpError(401, "wrong name or password");
    }
    await throttle.success(name, address);
    try {
      // The usage report counts these records: a login that cannot be recorded does not happen.
      await loginEvents.success(role.name, ctx.state.requestId, address);
    } catch (error) {
      ctx.state.logger.error("cannot record successful login", { error: String(error) });
      throw new HttpError(
        503,
        "login cannot be recorded right now (database unavailable): try again shortly",
      );
    }
    await roles.recordLogin(role.name).catch((error: unknown) => {
      ctx.state.logger.warn("cannot update last_login", { error: String(error) });
    });
    const token = await tokens.sign(role.name, (await roles.credentials(role.name))?.tokenVersion ?? 0);
    const secure = sameOrigin.secureCookies(ctx);
    // Behind a TLS-terminating proxy the hop to this server is plain http: tell the cookie jar so.
    if (secure) ctx.cookies.secure = true;
    ctx.cookies.set(TOKEN_COOKIE, token, {
      httpOnly: true,
      sameSite: "lax",
      secure,
      maxAge: tokens.ttlSeconds * 1000,
      path: "/",
      overwrite: true,
    });
    ctx.state.user = { name: role.name, perm: role.perm, isAdmin: role.name === "admin", via: "token" };
    if (fromForm) {
      ctx.status = 303;
      ctx.redirect(next);
      return;
    }
    reply(ctx, { token, name: role.name, expires_in: tokens.ttlSeconds });
  };

  const logout = async (ctx: Core4Context): Promise<void> => {
    noStore(ctx);
    // Logging out changes state: with the cookie as the only credential, only the own origin may ask.
    if (!ctx.get("Authorization") && ctx.cookies.get(TOKEN_COOKIE)) sameOrigin.enforce(ctx);
    if (getArgument(ctx, "everywhere", arg.boolean().default(false))) {
      // Ends every token of the caller, on every device and script.
      const user = await authenticator.authenticate(ctx);
      if (!user) throw HttpError.unauthorized("log in to log out everywhere");
      await roles.revokeTokens(user.name);
      authenticator.forget(user.name);
      ctx.state.user = user;
    }
    ctx.cookies.set(TOKEN_COOKIE, null, { path: "/" });
    if (wantsHtml(ctx)) {
      ctx.status = 303;
      ctx.redirect(LOGIN_PAGE_PATH);
      return;
    }
    reply(ctx, null);
  };

  const profile = async (ctx: Core4Context): Promise<void> => {
    noStore(ctx);
    const user = ctx.state.user;
    const role = user ? await roles.get(user.name) : undefined;
    if (!role) throw HttpError.unauthorized();
    reply(ctx, role);
  };

  router.post(LOGIN_API_PATH, login, { public: true });
  // POST only: a GET can be triggered cross-site by a link or an image (docs/contracts.md "HTTP").
  router.post(LOGOUT_API_PATH, logout, { public: true });
  router.get("/core4/api/v1/profile", profile, { perm: null });
  router.get(
    LOGIN_PAGE_PATH,
    (ctx) => {
      noStore(ctx);
      const failed = rawArgument(ctx, "error") !== undefined;
      replyHtml(ctx, loginPage(safeNext(rawArgument(ctx, "next")), failed), failed ? 401 : 200);
    },
    { public: true },
  );
}

/** Auth replies (tokens, the caller's role, the login form) must never be stored by a cache. */
function noStore(ctx: Core4Context): void {
  ctx.set("Cache-Control", "no-store");
}
