import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, BROWSER, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("replies", () => {
  let server: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({
      plugins: [echoPlugin],
      server: { bodyLimit: 1024 },
    });
    auth = bearer(await server.login("admin", ADMIN_PASSWORD));
  });

  it("wrap JSON data in the envelope with the request id", async () => {
    const response = await server.fetch("/echo/public");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = await response.json();
    expect(Object.keys(body).sort()).toEqual(["_id", "code", "data", "message", "timestamp"]);
    expect(body).toMatchObject({ code: 200, message: "OK", data: { ok: true } });
    expect(body._id).toBe(response.headers.get("x-request-id"));
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });

  it("answer unknown paths with 404, in the envelope or as a page", async () => {
    const json = await server.fetch("/no/such/route");
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({
      code: 404,
      message: "Not Found",
      data: null,
      error: "no route for GET /no/such/route",
    });
    const page = await server.fetch("/no/such/route", { headers: BROWSER });
    expect(page.status).toBe(404);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toContain("404 Not Found");
  });

  it("answer a wrong method with 405 and Allow", async () => {
    const response = await server.fetch("/core4/api/v1/login", { method: "GET" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect((await response.json()).error).toContain("not allowed");
  });

  it("negotiate by Accept, let content_type win over it, and say so in Vary", async () => {
    const type = async (query: string, accept?: string) => {
      const response = await server.fetch(`/echo/table${query}`, {
        headers: accept === undefined ? auth : { ...auth, accept },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("vary")).toBe("Accept");
      return response.headers.get("content-type");
    };
    expect(await type("")).toBe("application/json; charset=utf-8");
    expect(await type("", "*/*")).toBe("application/json; charset=utf-8");
    expect(await type("", "text/csv")).toBe("text/csv; charset=utf-8");
    expect(await type("", "text/plain;q=0.5, text/html")).toBe("text/html; charset=utf-8");
    expect(await type("?content_type=csv", "application/json")).toBe("text/csv; charset=utf-8");
    expect(await type("?text=x", "*/*")).toBe("application/json; charset=utf-8");
    // A Vary the route set itself is kept, Accept added to it.
    expect((await server.fetch("/echo/vary")).headers.get("vary")).toBe("Origin, Accept");
  });

  it("answer 406 for a format the route cannot give", async () => {
    const byArgument = await server.fetch("/echo/table?content_type=xml", { headers: auth });
    expect(byArgument.status).toBe(406);
    expect((await byArgument.json()).error).toBe(
      'content_type "xml" is not available here: use json, csv, html, text',
    );
    const byAccept = await server.fetch("/echo/table", { headers: { ...auth, accept: "image/png" } });
    expect(byAccept.status).toBe(406);
    const objectAsCsv = await server.fetch("/core4/api/v1/profile?content_type=csv", { headers: auth });
    expect(objectAsCsv.status).toBe(406);
  });

  it("negotiate tables as text with aligned columns", async () => {
    const response = await server.fetch("/echo/rows?cells=[%22a%22,%22bbbb%22]", {
      headers: { ...auth, accept: "text/plain" },
    });
    expect(await response.text()).toBe("i  cell   n\n-  ----  --\n0  a      0\n1  bbbb  -1\n");
  });

  it("refuse a body over the limit with 413", async () => {
    const response = await server.fetch("/echo/table", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ text: "x".repeat(4096) }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error).toBe("request body larger than the limit of 1024 bytes");
  });

  it("hide unexpected errors behind 500 without details", async () => {
    const response = await server.fetch("/echo/boom", { headers: auth });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret internal detail");
    expect(text).not.toContain("at ");
    expect(JSON.parse(text).error).toMatch(/^internal error: see the server log for request /);
    await server.flushLogs();
    const logged = await server.sysDb
      .collection("sys.log")
      .findOne({ message: "unexpected error in request handler" });
    expect(logged?.error).toBe("secret internal detail");
  });

  it("answer 503 when a handler exceeds the request timeout", async () => {
    // A server of its own: with a short timeout, a login (scrypt on a busy machine) could time out too.
    const hurried = await startTestServer({ plugins: [echoPlugin], server: { requestTimeout: 1500 } });
    const response = await hurried.fetch("/echo/slow-public");
    expect(response.status).toBe(503);
    expect((await response.json()).error).toBe("request timed out after 1500 ms");
  });

  it("write one access-log record per request", async () => {
    const response = await server.fetch("/echo/public?secret=do-not-log");
    const id = response.headers.get("x-request-id");
    await server.flushLogs();
    const records = await server.sysDb.collection("sys.log").find({ identifier: id }).toArray();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ method: "GET", path: "/echo/public", status: 200, level: "INFO" });
    expect(JSON.stringify(records)).not.toContain("do-not-log");
  });
});

describe("access log switched off", () => {
  it("writes no record for a successful request, but still one for a server error", async () => {
    const server = await startTestServer({ plugins: [echoPlugin], server: { accessLog: "off" } });
    const ok = await server.fetch("/echo/public");
    const token = await server.login("admin", ADMIN_PASSWORD);
    const boom = await server.fetch("/echo/boom", { headers: bearer(token) });
    expect(boom.status).toBe(500);
    await server.flushLogs();
    const log = server.sysDb.collection("sys.log");
    expect(await log.countDocuments({ identifier: ok.headers.get("x-request-id") })).toBe(0);
    expect(await log.countDocuments({ identifier: boom.headers.get("x-request-id"), status: 500 })).toBe(1);
  });
});

describe("replies in development", () => {
  it("include the stack of an unexpected error", async () => {
    const server = await startTestServer({ plugins: [echoPlugin], env: { NODE_ENV: "development" } });
    const token = await server.login("admin", ADMIN_PASSWORD);
    const body = await (await server.fetch("/echo/boom", { headers: bearer(token) })).json();
    expect(body.traceback).toContain("secret internal detail");
  });
});
