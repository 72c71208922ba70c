import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, BROWSER, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("access control", () => {
  let server: TestServer;
  let reader: string;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin] });
    await server.roles.add({ name: "reader", password: "reader-password", perm: ["api://echo/rows"] });
    reader = await server.login("reader", "reader-password");
  });

  it("answers 401 in the JSON envelope without credentials", async () => {
    const response = await server.fetch("/echo/table");
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body).toMatchObject({ code: 401, message: "Unauthorized", data: null, error: "login required" });
  });

  it("redirects a browser to the login page and back", async () => {
    const response = await server.fetch("/echo/table?text=hi", { headers: BROWSER });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      `/core4/login?next=${encodeURIComponent("/echo/table?text=hi")}`,
    );

    const page = await server.fetch(response.headers.get("location") as string, { headers: BROWSER });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/core4/api/v1/login">');
    expect(html).toContain('value="/echo/table?text=hi"');

    const login = await server.fetch("/core4/api/v1/login", {
      method: "POST",
      headers: { ...BROWSER, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: "admin", password: ADMIN_PASSWORD, next: "/echo/table?text=hi" }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get("location")).toBe("/echo/table?text=hi");
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/core4_token=[^;]+;.*httponly/i);
    expect(cookie).toMatch(/samesite=lax/i);

    const back = await server.fetch("/echo/table?text=hi", {
      headers: { ...BROWSER, cookie: cookie.split(";")[0] as string },
    });
    expect(back.status).toBe(200);
    expect(back.headers.get("content-type")).toMatch(/^text\/html/);
  });

  it("never redirects off-site after login", async () => {
    for (const next of ["https://evil.example/", "//evil.example/x", "/\\evil.example"]) {
      const login = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: "admin", password: ADMIN_PASSWORD, next }),
      });
      expect(login.status).toBe(303);
      expect(login.headers.get("location")).toMatch(/^\/[^/\\]/);
    }
  });

  it("answers 403 when the role lacks the route's permission", async () => {
    const denied = await server.fetch("/echo/table", { headers: bearer(reader) });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error).toContain("api://echo/table");
    const allowed = await server.fetch("/echo/rows", { headers: bearer(reader) });
    expect(allowed.status).toBe(200);
  });

  it("keeps the roles API to admin", async () => {
    expect((await server.fetch("/core4/api/v1/roles", { headers: bearer(reader) })).status).toBe(403);
    const admin = await server.login("admin", ADMIN_PASSWORD);
    expect((await server.fetch("/core4/api/v1/roles", { headers: bearer(admin) })).status).toBe(200);
  });

  it("serves public routes and health without login", async () => {
    expect((await server.fetch("/echo/public")).status).toBe(200);
    const health = await server.fetch("/core4/api/v1/health");
    expect(health.status).toBe(200);
    expect((await health.json()).data).toEqual({ mongodb: true, redis: true });
  });

  it("lets any logged-in role read its profile", async () => {
    const response = await server.fetch("/core4/api/v1/profile", { headers: bearer(reader) });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toMatchObject({
      name: "reader",
      perm: ["api://echo/rows"],
      is_active: true,
    });
  });
});
