import { beforeAll, describe, expect, it } from "vitest";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, BROWSER, bearer, startTestServer, type TestServer } from "./support/test-server.js";

const PAYLOADS = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  "</td></tr></table><iframe src=javascript:alert(1)>",
];

describe("HTML replies escape every argument", () => {
  let server: TestServer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    server = await startTestServer({ plugins: [echoPlugin] });
    auth = bearer(await server.login("admin", ADMIN_PASSWORD));
  });

  const assertEscaped = (html: string, payload: string) => {
    expect(html).not.toContain(payload);
    expect(html).not.toMatch(/<(script|img|svg|iframe)\b/i);
  };

  it("in HTML tables (cells and title)", async () => {
    for (const payload of PAYLOADS) {
      const response = await server.fetch(
        `/echo/table?content_type=html&text=${encodeURIComponent(payload)}`,
        {
          headers: auth,
        },
      );
      expect(response.status).toBe(200);
      const html = await response.text();
      assertEscaped(html, payload);
      expect(html).toContain(
        payload
          .replaceAll("&", "&amp;")
          .replaceAll("<", "&lt;")
          .replaceAll(">", "&gt;")
          .replaceAll('"', "&quot;")
          .replaceAll("'", "&#39;"),
      );
    }
  });

  it("in error pages", async () => {
    for (const payload of PAYLOADS) {
      const bad = await server.fetch(`/echo/table?count=${encodeURIComponent(payload)}`, {
        headers: { ...auth, ...BROWSER },
      });
      expect(bad.status).toBe(400);
      assertEscaped(await bad.text(), payload);
      const missing = await server.fetch(`/nothing/${encodeURIComponent(payload)}`, { headers: BROWSER });
      expect(missing.status).toBe(404);
      assertEscaped(await missing.text(), payload);
    }
  });

  it("in the login page's next field", async () => {
    for (const payload of PAYLOADS) {
      const page = await server.fetch(`/core4/login?next=${encodeURIComponent(`/x${payload}`)}`, {
        headers: BROWSER,
      });
      assertEscaped(await page.text(), payload);
    }
  });
});
