import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("password hashes stay in sys.role", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  it("never returns or logs a hash or a password", async () => {
    const admin = await server.login("admin", ADMIN_PASSWORD);
    const json = { ...bearer(admin), "content-type": "application/json" };
    const bodies: string[] = [];
    const call = async (path: string, init: RequestInit = {}) => {
      const response = await server.fetch(path, { ...init, headers: { ...json, ...(init.headers ?? {}) } });
      bodies.push(await response.text());
      return response;
    };

    expect(
      (
        await call("/core4/api/v1/roles", {
          method: "POST",
          body: JSON.stringify({
            name: "carol",
            password: "carol-password",
            email: "c@example.org",
            perm: ["api://x"],
          }),
        })
      ).status,
    ).toBe(201);
    await call("/core4/api/v1/roles");
    await call("/core4/api/v1/roles?content_type=csv");
    await call("/core4/api/v1/roles?content_type=html");
    await call("/core4/api/v1/roles?content_type=text");
    await call("/core4/api/v1/roles/carol");
    await call("/core4/api/v1/roles/carol", {
      method: "PATCH",
      body: JSON.stringify({ password: "carol-password-2" }),
    });
    await call("/core4/api/v1/profile");
    await call("/core4/api/v1/login", {
      method: "POST",
      body: JSON.stringify({ username: "carol", password: "carol-password-2" }),
    });
    await call("/core4/api/v1/login", {
      method: "POST",
      body: JSON.stringify({ username: "carol", password: "nope" }),
    });

    const stored = await server.sysDb.collection("sys.role").findOne({ name: "carol" });
    const hash = String(stored?.password);
    expect(hash).toMatch(/^scrypt\$/);
    const salt = hash.split("$")[4] as string;

    await server.flushLogs();
    const logs = JSON.stringify(await server.sysDb.collection("sys.log").find({}).toArray());
    expect(logs).toContain("successful login");
    for (const text of [...bodies, logs]) {
      expect(text).not.toContain(salt);
      expect(text).not.toContain("scrypt$");
      expect(text).not.toContain("carol-password");
      expect(text).not.toContain(ADMIN_PASSWORD);
      expect(text).not.toMatch(/"password"/);
    }
  });
});
