import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("request arguments", () => {
  let server: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin] });
    auth = bearer(await server.login("admin", ADMIN_PASSWORD));
  });

  const data = async (response: Response) => {
    const body = await response.json();
    return body.data;
  };

  it("are the same from a GET query, a POST JSON body and a POST form", async () => {
    const viaQuery = await data(
      await server.fetch("/echo/table?text=hello&count=3&flag=yes", { headers: auth }),
    );
    const viaJson = await data(
      await server.fetch("/echo/table", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ text: "hello", count: 3, flag: true }),
      }),
    );
    const viaForm = await data(
      await server.fetch("/echo/table", {
        method: "POST",
        headers: auth,
        body: new URLSearchParams({ text: "hello", count: "3", flag: "on" }),
      }),
    );
    expect(viaQuery).toEqual([{ text: "hello", count: 3, flag: true }]);
    expect(viaJson).toEqual(viaQuery);
    expect(viaForm).toEqual(viaQuery);
  });

  it("take the body over the query, and the last of repeated values", async () => {
    const rows = await data(
      await server.fetch("/echo/table?text=query&count=1&count=7", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ text: "body" }),
      }),
    );
    expect(rows).toEqual([{ text: "body", count: 7, flag: false }]);
  });

  it("understand core4's boolean words", async () => {
    for (const [word, value] of [
      ["y", true],
      ["ON", true],
      ["t", true],
      ["1", true],
      ["no", false],
      ["Off", false],
      ["f", false],
      ["0", false],
    ] as const) {
      const rows = await data(await server.fetch(`/echo/table?flag=${word}`, { headers: auth }));
      expect(rows[0].flag).toBe(value);
    }
  });

  it("answer 400 naming the argument and what was expected", async () => {
    const cases: [string, string][] = [
      ["count=many", 'argument "count": expected an integer'],
      ["count=1.5", 'argument "count": expected an integer'],
      ["flag=maybe", 'argument "flag": expected a boolean (yes/no, true/false, on/off, 1/0)'],
    ];
    for (const [query, error] of cases) {
      const response = await server.fetch(`/echo/table?${query}`, { headers: auth });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 400, message: "Bad Request", error });
    }
  });

  it("answer 400 for a JSON body that does not parse", async () => {
    const response = await server.fetch("/echo/table", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toBe("request body is not valid JSON");
  });
});
