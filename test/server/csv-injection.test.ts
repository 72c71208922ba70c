import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { parseCsvObjects } from "./support/parse-csv.js";
import { ADMIN_PASSWORD, bearer, startTestServer, type TestServer } from "./support/test-server.js";

describe("CSV replies", () => {
  let server: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin] });
    auth = bearer(await server.login("admin", ADMIN_PASSWORD));
  });

  it("neutralise formula cells and quote per RFC 4180", async () => {
    const cells = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", 'say "hi", then\nleave', "plain"];
    const response = await server.fetch("/echo/rows", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", accept: "text/csv" },
      body: JSON.stringify({ cells }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/csv/);
    const text = await response.text();
    expect(text.startsWith("i,cell,n\r\n")).toBe(true);
    const rows = parseCsvObjects(text);
    expect(rows.map((r) => r.cell)).toEqual([
      "'=1+1",
      "'+SUM(A1)",
      "'-2+3",
      "'@cmd",
      "'\tTAB",
      "'\rCR",
      'say "hi", then\nleave',
      "plain",
    ]);
    // Numbers are data, not formulas: negative numbers stay as they are.
    expect(rows.map((r) => r.n)).toEqual(["0", "-1", "-2", "-3", "-4", "-5", "-6", "-7"]);
  });

  it("are chosen by content_type over Accept", async () => {
    const response = await server.fetch("/echo/rows?content_type=csv&cells=[%22a%22]", {
      headers: { ...auth, accept: "application/json" },
    });
    expect(await response.text()).toBe("i,cell,n\r\n0,a,0\r\n");
  });
});
