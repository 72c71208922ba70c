import { SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

const SECRET = "a-test-secret-of-sufficient-length";

describe("tokens", () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin], server: { secret: SECRET } });
    token = await server.login("admin", ADMIN_PASSWORD);
  });

  it("accepts the issued token as Bearer", async () => {
    expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(200);
  });

  it("rejects a tampered token", async () => {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone" })).toString("base64url");
    for (const bad of [
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
    ]) {
      const response = await server.fetch("/echo/table", { headers: bearer(bad) });
      expect(response.status).toBe(401);
      expect((await response.json()).error).toBe("token invalid or expired: log in again");
    }
  });

  it("rejects an unsigned (alg none) token", async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(
      JSON.stringify({ sub: "admin", iss: "core4ts", exp: 4_000_000_000 }),
    ).toString("base64url")}.`;
    expect((await server.fetch("/echo/table", { headers: bearer(none) })).status).toBe(401);
  });

  it("rejects an expired token", async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("admin")
      .setIssuer("core4ts")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(SECRET));
    expect((await server.fetch("/echo/table", { headers: bearer(expired) })).status).toBe(401);
  });

  it("rejects a token signed with another secret", async () => {
    const other = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("admin")
      .setIssuer("core4ts")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-of-sufficient-length"));
    expect((await server.fetch("/echo/table", { headers: bearer(other) })).status).toBe(401);
  });

  it("stops honouring tokens of a removed or deactivated role", async () => {
    await server.roles.add({ name: "temp", password: "temp-password", perm: ["*"] });
    const temp = await server.login("temp", "temp-password");
    expect((await server.fetch("/echo/table", { headers: bearer(temp) })).status).toBe(200);
    await server.roles.update("temp", { is_active: false });
    expect((await server.fetch("/echo/table", { headers: bearer(temp) })).status).toBe(401);
    await server.roles.remove("temp");
    expect((await server.fetch("/echo/table", { headers: bearer(temp) })).status).toBe(401);
  });

  it("ends existing tokens when the password changes", async () => {
    await server.roles.add({ name: "frank", password: "frank-password", perm: ["*"] });
    const before = await server.login("frank", "frank-password");
    await server.roles.update("frank", { email: "frank@example.org" });
    expect((await server.fetch("/echo/table", { headers: bearer(before) })).status).toBe(200);
    await server.roles.update("frank", { password: "frank-password-2" });
    expect((await server.fetch("/echo/table", { headers: bearer(before) })).status).toBe(401);
    const after = await server.login("frank", "frank-password-2");
    expect((await server.fetch("/echo/table", { headers: bearer(after) })).status).toBe(200);
  });

  it("logs out everywhere on request", async () => {
    await server.roles.add({ name: "grace", password: "grace-password", perm: ["*"] });
    const laptop = await server.login("grace", "grace-password");
    const phone = await server.login("grace", "grace-password");
    const response = await server.fetch("/core4/api/v1/logout?everywhere=yes", {
      method: "POST",
      headers: bearer(laptop),
    });
    expect(response.status).toBe(200);
    for (const token of [laptop, phone]) {
      expect((await server.fetch("/echo/table", { headers: bearer(token) })).status).toBe(401);
    }
    const fresh = await server.login("grace", "grace-password");
    expect((await server.fetch("/echo/table", { headers: bearer(fresh) })).status).toBe(200);
  });

  it("accepts Basic credentials and rejects wrong ones", async () => {
    const basic = (user: string, password: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    });
    expect((await server.fetch("/echo/table", { headers: basic("admin", ADMIN_PASSWORD) })).status).toBe(200);
    expect((await server.fetch("/echo/table", { headers: basic("admin", "wrong") })).status).toBe(401);
  });

  it("logs out by clearing the cookie", async () => {
    const response = await server.fetch("/core4/api/v1/logout", { method: "POST" });
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/core4_token=;.*expires=Thu, 01 Jan 1970/i);
  });
});
