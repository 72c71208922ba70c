import { beforeAll, describe, expect, it } from "vitest";
import { ensureAdmin } from "../../server/index.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("roles API", () => {
  let server: TestServer;
  let headers: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer();
    headers = { ...bearer(await server.login("admin", ADMIN_PASSWORD)), "content-type": "application/json" };
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await server.fetch(`/core4/api/v1/roles${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  it("creates, reads, updates and removes a role", async () => {
    const created = await call("POST", "", {
      name: "dave",
      password: "dave-password",
      perm: ["api://usage/*"],
    });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({
      name: "dave",
      perm: ["api://usage/*"],
      is_active: true,
      email: null,
    });
    expect((await call("POST", "", { name: "dave", password: "dave-password" })).status).toBe(409);

    const updated = await call("PATCH", "/dave", { email: "dave@example.org", is_active: "no" });
    expect(updated.body.data).toMatchObject({ email: "dave@example.org", is_active: false });
    expect((await call("GET", "/dave")).body.data.is_active).toBe(false);

    const listed = await call("GET", "");
    expect(listed.body.data.map((r: { name: string }) => r.name)).toEqual(["admin", "dave"]);

    expect((await call("DELETE", "/dave")).status).toBe(200);
    expect((await call("GET", "/dave")).status).toBe(404);
    expect((await call("DELETE", "/dave")).status).toBe(404);
  });

  it("explains invalid roles", async () => {
    const short = await call("POST", "", { name: "eve", password: "short" });
    expect(short).toMatchObject({ status: 400, body: { error: "password must have at least 8 characters" } });
    const badName = await call("POST", "", { name: "<eve>", password: "long-enough" });
    expect(badName.status).toBe(400);
    expect(badName.body.error).toContain('role name "<eve>" is invalid');
    const badPerm = await call("POST", "", { name: "eve", password: "long-enough", perm: "api://x" });
    expect(badPerm.body.error).toBe('argument "perm": expected a list of permission patterns');
  });

  it("keeps admin", async () => {
    expect((await call("DELETE", "/admin")).status).toBe(409);
  });

  it("resets admin's password from CORE4_ADMIN_PASSWORD at start", async () => {
    expect((await call("PATCH", "/admin", { password: "changed-in-between" })).status).toBe(200);
    await expect(server.login("admin", ADMIN_PASSWORD)).rejects.toThrow(/401/);
    const admin = await ensureAdmin(server.runtime);
    expect(admin).toMatchObject({ name: "admin", perm: ["*"], is_active: true });
    // A new password ends the admin's tokens: later tests (in any order) need a fresh one.
    const token = await server.login("admin", ADMIN_PASSWORD);
    expect(token).toBeTypeOf("string");
    headers = { ...bearer(token), "content-type": "application/json" };
  });
});
