/**
 * The caches of the authenticated request path (docs/security.md "Authentication and sessions"): verified
 * tokens are remembered but never past their expiry, and a token holder's role is reused for at most
 * `roleCacheMs` (1 s by default), so a revocation, a password change, a deactivation or a permission change
 * made by another process takes effect within that bound, and at once when made through this server.
 */
import { SignJWT } from "jose";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { TokenService } from "../../server/auth/token-service.js";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

const SECRET = "a-test-secret-of-sufficient-length";
const ROLE_CACHE_MS = 1_000;

describe("remembered tokens (TokenService)", () => {
  it("refuses a remembered token once its expiry has passed", async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.sign("ada", 3);
    const issued = Date.now();
    expect(await tokens.verify(token, issued)).toMatchObject({ name: "ada", ver: 3 });
    // Remembered now: the same answer without a signature check, while it is valid.
    expect(await tokens.verify(token, issued + 59_000)).toMatchObject({ name: "ada", ver: 3 });
    expect(await tokens.verify(token, issued + 61_000)).toBeUndefined();
    expect(await tokens.verify(token, issued + 1_000)).toMatchObject({ name: "ada" });
  });

  it("never remembers a token that failed, and checks a forged one every time", async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.sign("ada");
    const [header, , signature] = token.split(".") as [string, string, string];
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: "admin", iss: "core4ts", exp: 4_000_000_000 })).toString("base64url")}.${signature}`;
    expect(await tokens.verify(forged)).toBeUndefined();
    expect(await tokens.verify(forged)).toBeUndefined();
    const other = new TokenService("another-secret-of-sufficient-length", 60);
    expect(await other.verify(token)).toBeUndefined();
    expect(await tokens.verify(token)).toMatchObject({ name: "ada" });
  });

  it("checks a token with a not-before time every time instead of remembering it", async () => {
    const tokens = new TokenService(SECRET, 60);
    const now = Math.floor(Date.now() / 1000);
    const early = await new SignJWT({ ver: 0 })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("ada")
      .setIssuer("core4ts")
      .setNotBefore(now + 30)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode(SECRET));
    expect(await tokens.verify(early)).toBeUndefined();
    expect(await tokens.verify(early, (now + 31) * 1000)).toMatchObject({ name: "ada" });
    expect(await tokens.verify(early, (now + 1) * 1000)).toBeUndefined();
  });
});

describe("token and role caches through the server", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      plugins: [echoPlugin],
      server: { secret: SECRET, tokenTtl: 2 },
      roleCacheMs: ROLE_CACHE_MS,
    });
  });

  /** Polls until the token is refused; returns how long it took after `since`. */
  async function refusedWithin(token: string, since: number, path = "/echo/table"): Promise<number> {
    await vi.waitFor(
      async () => {
        const status = (await server.fetch(path, { headers: bearer(token) })).status;
        expect([401, 403]).toContain(status);
      },
      { timeout: 15_000, interval: 50 },
    );
    return Date.now() - since;
  }

  it("refuses an expired token although it was used (and remembered) just before", async () => {
    const token = await server.login("admin", ADMIN_PASSWORD);
    const issued = Date.now();
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    await refusedWithin(token, issued);
    // Refused from the second its exp passed (tokenTtl 2 s), never later than that and the poll interval.
    expect(Date.now() - issued).toBeGreaterThanOrEqual(1_000);
    const response = await server.fetch("/echo/table", { headers: bearer(token) });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe("token invalid or expired: log in again");
  });

  it("ends the tokens of a role revoked by another process within roleCacheMs", async () => {
    await server.roles.add({ name: "revoked", password: "revoked-password", perm: ["*"] });
    const token = await longLogin("revoked", "revoked-password");
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    const revokedAt = Date.now();
    // Straight to sys.role, as `coco` or another server would: this server learns of it by reading again.
    expect(await server.roles.revokeTokens("revoked")).toBe(true);
    const took = await refusedWithin(token, revokedAt);
    expect(took).toBeLessThan(ROLE_CACHE_MS + 4_000); // 1 s bound, generous for a loaded machine
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(401);
  });

  it("ends the tokens of a role whose password changed or that was deactivated elsewhere", async () => {
    await server.roles.add({ name: "changed", password: "changed-password", perm: ["*"] });
    await server.roles.add({ name: "paused", password: "paused-password", perm: ["*"] });
    const changed = await longLogin("changed", "changed-password");
    const paused = await longLogin("paused", "paused-password");
    for (const token of [changed, paused])
      expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    const at = Date.now();
    await server.roles.update("changed", { password: "changed-password-2" });
    await server.roles.update("paused", { is_active: false });
    expect(await refusedWithin(changed, at)).toBeLessThan(ROLE_CACHE_MS + 4_000);
    expect(await refusedWithin(paused, at)).toBeLessThan(ROLE_CACHE_MS + 4_000);
    // The new password works at once.
    const again = await longLogin("changed", "changed-password-2");
    expect((await server.fetch("/echo/table", { headers: bearer(again) })).status).toBe(200);
  });

  it("applies a permission change made elsewhere within roleCacheMs", async () => {
    await server.roles.add({ name: "narrowed", password: "narrowed-password", perm: ["api://echo/*"] });
    const token = await longLogin("narrowed", "narrowed-password");
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    const at = Date.now();
    await server.roles.update("narrowed", { perm: [] });
    expect(await refusedWithin(token, at)).toBeLessThan(ROLE_CACHE_MS + 4_000);
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(403);
  });

  it("applies a change made through this server's API at once", async () => {
    const admin = await longLogin("admin", ADMIN_PASSWORD);
    await server.roles.add({ name: "viaapi", password: "viaapi-password", perm: ["*"] });
    const token = await longLogin("viaapi", "viaapi-password");
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
    const patched = await server.fetch("/core4/api/v1/roles/viaapi", {
      method: "PATCH",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: JSON.stringify({ is_active: false }),
    });
    expect(patched.status).toBe(200);
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(401);
    // Log out everywhere, through the API: the caller's own remembered token ends with the next request.
    const out = await server.fetch("/core4/api/v1/logout", {
      method: "POST",
      headers: { ...bearer(admin), "content-type": "application/json" },
      body: JSON.stringify({ everywhere: true }),
    });
    expect(out.status).toBe(200);
    expect((await server.fetch("/echo/table", { headers: bearer(admin) })).status).toBe(401);
  });

  /** A login whose token outlives the test: tokenTtl is 2 s on this server, so sign one for a minute. */
  async function longLogin(name: string, password: string): Promise<string> {
    await server.login(name, password);
    const credentials = await server.roles.credentials(name);
    return new TokenService(SECRET, 60).sign(name, credentials?.tokenVersion ?? 0);
  }
});
