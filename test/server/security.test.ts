import { scryptSync } from "node:crypto";
import { connect } from "node:net";
import { Redis } from "ioredis";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { definePlugin } from "../../framework/plugin.js";
import { TOKEN_COOKIE } from "../../server/auth/authenticator.js";
import { defineRoutes, ensureAdmin, type PluginRoutes, reply } from "../../server/index.js";
import { testRedisUrl, uniqueName } from "../support/services.js";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "./support/test-server.js";

vi.setConfig({ testTimeout: 60_000 });

const CSP =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'";

/** Releases the requests waiting in `/probe/report`. */
let openGate: () => void = () => {};
let gate = Promise.resolve();
let reportsRunning = 0;
function closeGate(): void {
  gate = new Promise((resolve) => {
    openGate = resolve;
  });
}

const probePlugin = definePlugin<PluginRoutes>({
  name: "probe",
  routes: defineRoutes((router) => {
    // A report: answers POST like GET and changes nothing.
    router.getOrPost("/probe/report", async (ctx) => {
      reportsRunning++;
      try {
        await gate;
      } finally {
        reportsRunning--;
      }
      reply(ctx, { ok: true });
    });
    router.post("/probe/search", (ctx) => reply(ctx, { found: 0 }), { readOnly: true });
    router.post("/probe/write", (ctx) => reply(ctx, { written: true }));
  }),
});

function cookie(token: string): Record<string, string> {
  return { cookie: `${TOKEN_COOKIE}=${token}` };
}

describe("security", () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin, probePlugin], server: { reportConcurrency: 2 } });
    token = await server.login("admin", ADMIN_PASSWORD);
  });

  describe("same-origin rule", () => {
    const role = (name: string) => JSON.stringify({ name, password: "csrf-password-1", perm: ["*"] });

    it("refuses a cookie-authenticated state change from another origin, naming the rule", async () => {
      const variants: Record<string, string>[] = [
        { origin: "http://127.0.0.1:1" },
        { origin: "null" },
        { "sec-fetch-site": "same-site" },
        {}, // neither header: not provably from the own origin
      ];
      for (const headers of variants) {
        const name = uniqueName("csrf");
        const response = await server.fetch("/core4/api/v1/roles", {
          method: "POST",
          headers: { ...cookie(token), "content-type": "application/json", ...headers },
          body: role(name),
        });
        expect(response.status, JSON.stringify(headers)).toBe(403);
        expect((await response.json()).error).toMatch(/same-origin rule/);
        expect(await server.roles.get(name)).toBeUndefined();
      }
    });

    it("accepts it from the own origin (Origin or Sec-Fetch-Site: same-origin)", async () => {
      const variants: Record<string, string>[] = [
        { origin: server.url },
        { "sec-fetch-site": "same-origin" },
      ];
      for (const headers of variants) {
        const response = await server.fetch("/core4/api/v1/roles", {
          method: "POST",
          headers: { ...cookie(token), "content-type": "application/json", ...headers },
          body: role(uniqueName("ok")),
        });
        expect(response.status, JSON.stringify(headers)).toBe(201);
      }
    });

    it("does not affect Bearer and Basic requests", async () => {
      const basic = `Basic ${Buffer.from(`admin:${ADMIN_PASSWORD}`).toString("base64")}`;
      for (const authorization of [`Bearer ${token}`, basic]) {
        const response = await server.fetch("/probe/write", {
          method: "POST",
          headers: { authorization, origin: "http://evil.example" },
        });
        expect(response.status).toBe(200);
      }
    });

    it("does not apply to read-only routes that answer POST", async () => {
      openGate();
      gate = Promise.resolve();
      for (const path of ["/probe/report", "/probe/search", "/echo/table"]) {
        const response = await server.fetch(path, {
          method: "POST",
          headers: { ...cookie(token), origin: "http://127.0.0.1:1" },
        });
        expect(response.status, path).toBe(200);
      }
      const write = await server.fetch("/probe/write", {
        method: "POST",
        headers: { ...cookie(token), origin: "http://127.0.0.1:1" },
      });
      expect(write.status).toBe(403);
    });

    it("uses server.publicUrl as the own origin when set", async () => {
      const behind = await startTestServer({ server: { publicUrl: "https://core.example.com" } });
      const own = await behind.login("admin", ADMIN_PASSWORD);
      const post = (origin: string) =>
        behind.fetch("/core4/api/v1/roles", {
          method: "POST",
          headers: { ...cookie(own), "content-type": "application/json", origin },
          body: role(uniqueName("pub")),
        });
      expect((await post(behind.url)).status).toBe(403);
      expect((await post("https://core.example.com")).status).toBe(201);
      // Secure cookies follow the public URL's scheme, not the (plain http) hop to the server.
      const login = await behind.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
      });
      expect(login.headers.get("set-cookie")).toMatch(/; secure/i);
    });

    it("refuses a login posted by a page of another origin (login CSRF)", async () => {
      const response = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://127.0.0.1:1" },
        body: new URLSearchParams({ username: "admin", password: ADMIN_PASSWORD }).toString(),
      });
      expect(response.status).toBe(403);
      expect(response.headers.get("set-cookie")).toBeNull();
    });
  });

  describe("logout", () => {
    it("answers POST only: a GET (link, image, navigation) changes nothing", async () => {
      const own = await server.login("admin", ADMIN_PASSWORD);
      const response = await server.fetch("/core4/api/v1/logout?everywhere=yes", { headers: cookie(own) });
      expect(response.status).toBe(405);
      expect((await server.fetch("/core4/api/v1/profile", { headers: cookie(own) })).status).toBe(200);
    });

    it("refuses a cookie logout from another origin, accepts one from the own origin", async () => {
      const own = await server.login("admin", ADMIN_PASSWORD);
      const foreign = await server.fetch("/core4/api/v1/logout?everywhere=yes", {
        method: "POST",
        headers: { ...cookie(own), origin: "http://127.0.0.1:1" },
      });
      expect(foreign.status).toBe(403);
      expect((await server.fetch("/core4/api/v1/profile", { headers: cookie(own) })).status).toBe(200);
      const same = await server.fetch("/core4/api/v1/logout?everywhere=yes", {
        method: "POST",
        headers: { ...cookie(own), origin: server.url },
      });
      expect(same.status).toBe(200);
      expect(same.headers.get("cache-control")).toBe("no-store");
      expect((await server.fetch("/core4/api/v1/profile", { headers: cookie(own) })).status).toBe(401);
      token = await server.login("admin", ADMIN_PASSWORD);
    });
  });

  describe("headers", () => {
    it("puts the contract's CSP, nosniff, Referrer-Policy and no framing on every HTML reply", async () => {
      const html = { accept: "text/html" };
      for (const [path, init] of [
        ["/core4/login", {}],
        ["/nowhere", { headers: html }],
        ["/echo/table?content_type=html", { headers: { authorization: `Bearer ${token}` } }],
        ["/echo/table", { headers: html }], // redirect to the login page
      ] as const) {
        const response = await server.fetch(path, init);
        expect(response.headers.get("content-type"), path).toMatch(/^text\/html/);
        expect(response.headers.get("content-security-policy"), path).toBe(CSP);
        expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
        expect(response.headers.get("referrer-policy"), path).toBe("same-origin");
        expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      }
    });

    it("marks auth replies Cache-Control: no-store", async () => {
      const login = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
      expect(login.headers.get("cache-control")).toBe("no-store");
      expect((await server.fetch("/core4/login")).headers.get("cache-control")).toBe("no-store");
      const profile = await server.fetch("/core4/api/v1/profile", { headers: cookie(token) });
      expect(profile.headers.get("cache-control")).toBe("no-store");
    });
  });

  describe("login abuse", () => {
    it("refuses a login name over 64 characters with 400 before any work", async () => {
      const name = "x".repeat(65);
      const redis = new Redis(testRedisUrl());
      const prefix = server.runtime.config.core.redis.prefix;
      try {
        const requests: RequestInit[] = [
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ username: name, password: "whatever-1" }),
          },
          { headers: { authorization: `Basic ${Buffer.from(`${name}:pw`).toString("base64")}` } },
        ];
        for (const init of requests) {
          const path = init.method ? "/core4/api/v1/login" : "/echo/table";
          const response = await server.fetch(path, init);
          expect(response.status).toBe(400);
          expect((await response.json()).error).toMatch(/longer than 64 characters/);
        }
        await server.flushLogs();
        expect(await server.sysDb.collection("sys.log").countDocuments({ user: name })).toBe(0);
        expect(await redis.keys(`${prefix}:{login}:*${name}*`)).toEqual([]);
      } finally {
        redis.disconnect();
      }
      // 64 is still a name.
      const ok = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "y".repeat(64), password: "whatever-1" }),
      });
      expect(ok.status).toBe(401);
    });

    it("records failed Basic logins in sys.log and the access log", async () => {
      const name = uniqueName("basic");
      const response = await server.fetch("/echo/table", {
        headers: { authorization: `Basic ${Buffer.from(`${name}:wrong`).toString("base64")}` },
      });
      expect(response.status).toBe(401);
      await server.flushLogs();
      const log = server.sysDb.collection("sys.log");
      await expect
        .poll(() => log.countDocuments({ message: "failed login", user: name }), { timeout: 10_000 })
        .toBe(1);
      expect(await log.countDocuments({ path: "/echo/table", status: 401, login_name: name })).toBe(1);
    });

    it("never redirects off-site, also through path normalisation", async () => {
      for (const next of [
        "/.//evil.example/phish",
        "/./\\evil.example",
        "/%2e//evil.example",
        "/a/..//evil.example",
      ]) {
        const response = await server.fetch("/core4/api/v1/login", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ username: "admin", password: ADMIN_PASSWORD, next }).toString(),
        });
        expect(response.status, next).toBe(303);
        const location = response.headers.get("location") ?? "";
        expect(location, next).toMatch(/^\/(?![/\\])/);
        expect(new URL(location, server.url).origin, next).toBe(server.url);
      }
    });
  });

  describe("behind a reverse proxy", () => {
    it("takes the client address the nearest trusted proxy saw, never one the client wrote", async () => {
      const proxied = await startTestServer({ server: { trustProxy: true, proxyHops: 1 } });
      const log = proxied.sysDb.collection("sys.log");
      for (const spoofed of ["1.1.1.1", "2.2.2.2"]) {
        const name = uniqueName("proxy");
        await proxied.fetch("/core4/api/v1/login", {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": `${spoofed}, 203.0.113.7` },
          body: JSON.stringify({ username: name, password: "wrong-password" }),
        });
        await expect
          .poll(async () => (await log.findOne({ message: "failed login", user: name }))?.remote_addr, {
            timeout: 10_000,
          })
          .toBe("203.0.113.7");
      }
    });
  });

  describe("passwords", () => {
    it("leaves the admin's hash and tokens alone when CORE4_ADMIN_PASSWORD did not change", async () => {
      const roles = server.sysDb.collection("sys.role");
      const before = await roles.findOne({ name: "admin" });
      const own = await server.login("admin", ADMIN_PASSWORD);
      await ensureAdmin(server.runtime);
      const after = await roles.findOne({ name: "admin" });
      expect(after?.password).toBe(before?.password);
      expect(after?.token_version ?? 0).toBe(before?.token_version ?? 0);
      expect((await server.fetch("/core4/api/v1/profile", { headers: cookie(own) })).status).toBe(200);
    });

    it("hashes with OWASP's scrypt cost and upgrades older hashes at login, keeping tokens", async () => {
      const roles = server.sysDb.collection("sys.role");
      const name = uniqueName("old");
      await server.roles.add({ name, password: "old-password-1", perm: [] });
      expect(String((await roles.findOne({ name }))?.password)).toMatch(/^scrypt\$32768\$8\$3\$/);
      // A hash as earlier versions wrote it: N=2^15, r=8, p=1.
      const salt = Buffer.from("0123456789abcdef");
      const key = scryptSync("old-password-1", salt, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 2 ** 20 });
      const old = ["scrypt", 32768, 8, 1, salt.toString("base64"), key.toString("base64")].join("$");
      await roles.updateOne({ name }, { $set: { password: old, token_version: 3 } });
      await server.login(name, "old-password-1");
      const upgraded = await roles.findOne({ name });
      expect(String(upgraded?.password)).toMatch(/^scrypt\$32768\$8\$3\$/);
      expect(upgraded?.token_version).toBe(3);
      await server.login(name, "old-password-1");
    });
  });

  describe("resources", () => {
    it("runs at most server.reportConcurrency reports per user at once", async () => {
      closeGate();
      const bearer = { authorization: `Bearer ${token}` };
      const running = [
        server.fetch("/probe/report", { headers: bearer }),
        server.fetch("/probe/report", { headers: bearer }),
      ];
      await expect.poll(() => reportsRunning, { timeout: 10_000 }).toBe(2);
      const third = await server.fetch("/probe/report", { headers: bearer });
      expect(third.status).toBe(429);
      expect((await third.json()).error).toMatch(/server\.reportConcurrency/);
      // Another user has a budget of its own.
      await server.roles.add({ name: "reporter", password: "reporter-pw-1", perm: ["*"] });
      const other = server.fetch("/probe/report", {
        headers: { authorization: `Bearer ${await server.login("reporter", "reporter-pw-1")}` },
      });
      await expect.poll(() => reportsRunning, { timeout: 10_000 }).toBe(3);
      openGate();
      for (const response of [...(await Promise.all(running)), await other])
        expect(response.status).toBe(200);
    });

    it("cuts off a client that sends its headers too slowly, within 15 s by default", async () => {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      const started = Date.now();
      socket.write("GET /core4/api/v1/health HTTP/1.1\r\nHost: x\r\n");
      const drip = setInterval(() => socket.write("X-Drip: 1\r\n"), 1_000);
      let answer = "";
      socket.on("data", (chunk) => {
        answer += String(chunk);
      });
      await new Promise<void>((resolve) => socket.on("close", () => resolve()));
      clearInterval(drip);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(answer === "" || answer.startsWith("HTTP/1.1 408")).toBe(true);
    });

    it("refuses connections beyond server.maxConnections", async () => {
      const capped = await startTestServer({ server: { maxConnections: 2 } });
      const { port } = new URL(capped.url);
      const open = await Promise.all(
        [1, 2].map(
          () =>
            new Promise<ReturnType<typeof connect>>((resolve) => {
              const s = connect(Number(port), "127.0.0.1", () => resolve(s));
            }),
        ),
      );
      await new Promise((r) => setTimeout(r, 200));
      const extra = connect(Number(port), "127.0.0.1");
      extra.write("GET /core4/api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n");
      let answer = "";
      extra.on("data", (chunk) => {
        answer += String(chunk);
      });
      await new Promise<void>((resolve) => {
        extra.on("close", () => resolve());
        extra.on("error", () => resolve());
      });
      expect(answer).toBe("");
      for (const s of open) s.destroy();
    });
  });
});

describe("login slow-down shared by two servers on one Redis", () => {
  it("spends one budget: failures on one server slow down the other", async () => {
    const redisPrefix = uniqueName("pair");
    const loginThrottle = { baseDelayMs: 150, maxNameDelayMs: 60_000, maxAddressDelayMs: 60_000 };
    const one = await startTestServer({ redisPrefix, loginThrottle });
    const two = await startTestServer({ redisPrefix, loginThrottle });
    const attempt = async (server: TestServer) => {
      const started = Date.now();
      const response = await server.fetch("/core4/api/v1/login", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "mallory-target", password: "guess-password" }),
      });
      expect(response.status).toBe(401);
      return Date.now() - started;
    };
    for (let i = 0; i < 3; i++) await attempt(one);
    // Three failures: the next attempt waits 150 · 2^2 = 600 ms, on either server.
    expect(await attempt(two)).toBeGreaterThanOrEqual(550);
    expect(await attempt(one)).toBeGreaterThanOrEqual(1_150);
  });
});
