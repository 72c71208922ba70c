import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("login events in sys.log", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin] });
    await server.roles.add({ name: "alice", password: "alice-password", perm: [] });
  });

  const events = (message: string, user: string) =>
    server.sysDb.collection("sys.log").find({ message, user }).toArray();

  it("writes exactly one successful login record per login, with user", async () => {
    const token = await server.login("alice", "alice-password");
    await server.login("alice", "alice-password");
    // Token, cookie and Basic requests are not logins.
    await server.fetch("/core4/api/v1/profile", { headers: bearer(token) });
    await server.fetch("/core4/api/v1/profile", { headers: { cookie: `core4_token=${token}` } });
    await server.fetch("/core4/api/v1/profile", {
      headers: { authorization: `Basic ${Buffer.from("alice:alice-password").toString("base64")}` },
    });
    await server.flushLogs();

    const records = await events("successful login", "alice");
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({ level: "INFO", levelno: 20, user: "alice", qual_name: null });
      expect(record.created).toBeInstanceOf(Date);
      expect(typeof record.identifier).toBe("string");
    }
    const role = await server.roles.get("alice");
    expect(role?.last_login).toBeInstanceOf(Date);
  });

  it("writes a failed login record with the given name", async () => {
    for (const [username, password] of [
      ["alice", "wrong-password"],
      ["nobody", "whatever"],
    ] as const) {
      const response = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      expect(response.status).toBe(401);
      expect((await response.json()).error).toBe("wrong name or password");
    }
    expect(await events("failed login", "alice")).toMatchObject([{ level: "WARNING", levelno: 30 }]);
    expect(await events("failed login", "nobody")).toHaveLength(1);
    expect(await events("successful login", "nobody")).toHaveLength(0);
  });

  it("counts the admin login like any other", async () => {
    await server.login("admin", ADMIN_PASSWORD);
    expect(await events("successful login", "admin")).toHaveLength(1);
  });

  it("refuses a login without name or password, writing no event", async () => {
    const response = await server.fetch("/core4/api/v1/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bob" }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe('argument "password" is required');
    expect(await server.sysDb.collection("sys.log").countDocuments({ user: "bob", message: /login/ })).toBe(
      0,
    );
  });
});
