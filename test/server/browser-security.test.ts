import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { uniqueName } from "../support/services.js";
import { echoPlugin } from "./support/echo-plugin.js";
import { ADMIN_PASSWORD, startTestServer, type TestServer } from "./support/test-server.js";

vi.setConfig({ testTimeout: 120_000 });

const CHROMIUM = process.env.CORE4_CHROMIUM ?? "/usr/bin/chromium";

/**
 * An attacker's pages on another port of the same host: the same *site* as the server (SameSite=Lax lets
 * the login cookie through), but another *origin*. `/page?html=...` serves the given markup.
 */
async function startAttacker(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const html = new URL(req.url ?? "/", "http://x").searchParams.get("html") ?? "";
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><body>${html}</body></html>`);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("browser attacks from another origin of the same site (headless Chromium)", () => {
  let api: TestServer;
  let attacker: { url: string; server: Server };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const attackPage = (html: string) => `${attacker.url}/page?html=${encodeURIComponent(html)}`;
  const loggedIn = async () => {
    const response = await page.goto(`${api.url}/core4/api/v1/profile`);
    return response?.status() === 200;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CORE4_CHROMIUM)`);
    // "localhost" for the API and 127.0.0.1 for the attacker would be two sites; one host, two ports is
    // the case SameSite does not cover.
    api = await startTestServer({ plugins: [echoPlugin] });
    attacker = await startAttacker();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${api.url}/core4/login`);
    await page.fill('input[name="username"]', "admin");
    await page.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL(/\/core4\/api\/v1\/profile/), page.click('button[type="submit"]')]);
    expect(await loggedIn()).toBe(true);
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => attacker?.server.close(resolve));
  });

  it("row 1: forms and no-cors fetches from another port cannot create a role or enqueue", async () => {
    const names = [uniqueName("form"), uniqueName("plain"), uniqueName("fetch")];
    const perm = encodeURIComponent('["*"]');
    const statuses: number[] = [];
    page.on("response", (response) => {
      if (response.url().startsWith(`${api.url}/core4/api/v1/roles`)) statuses.push(response.status());
    });
    // A urlencoded form, auto-submitted.
    await page.goto(
      attackPage(`<form id="f" method="post" action="${api.url}/core4/api/v1/roles">
        <input name="name" value="${names[0]}"><input name="password" value="csrf-password-1">
        <input name="perm" value='["*"]'></form><script>document.getElementById("f").submit()</script>`),
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(1);
    // A text/plain form with the arguments in the action URL.
    await page.goto(
      attackPage(`<form id="f" method="post" enctype="text/plain"
        action="${api.url}/core4/api/v1/roles?name=${names[1]}&password=csrf-password-1&perm=${perm}">
        <input name="x" value="y"></form><script>document.getElementById("f").submit()</script>`),
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(2);
    // fetch with mode no-cors and the cookie.
    await page.goto(attackPage("<p>fetch</p>"));
    await page.evaluate(
      async ([url, name]) => {
        await fetch(`${url}/core4/api/v1/roles?name=${name}&password=csrf-password-1`, {
          method: "POST",
          mode: "no-cors",
          credentials: "include",
        });
        await fetch(`${url}/core4/api/v1/jobs`, {
          method: "POST",
          mode: "no-cors",
          credentials: "include",
          headers: { "content-type": "text/plain" },
          body: JSON.stringify({ name: "x.Job" }),
        });
      },
      [api.url, names[2]] as const,
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(3);
    expect(statuses).toEqual([403, 403, 403]);
    for (const name of names) expect(await api.roles.get(name)).toBeUndefined();

    // The same form posted from the server's own page still works (positive control; the page's CSP
    // allows no script, so the test builds the form through the DevTools protocol).
    await page.goto(`${api.url}/core4/login`);
    const own = uniqueName("own");
    await page.evaluate(
      ([url, name]) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = `${url}/core4/api/v1/roles`;
        for (const [key, value] of [
          ["name", name],
          ["password", "own-password-1"],
        ]) {
          const input = document.createElement("input");
          input.name = key as string;
          input.value = value as string;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      [api.url, own] as const,
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(4);
    expect(statuses[3]).toBeLessThan(400);
    expect(await api.roles.get(own)).toBeDefined();
    expect(await loggedIn()).toBe(true);
  });

  it("row 7: a cross-site GET or POST to logout does not end the session or its tokens", async () => {
    await page.goto(attackPage(`<img src="${api.url}/core4/api/v1/logout?everywhere=yes">`));
    await page.goto(`${api.url}/core4/api/v1/logout?everywhere=yes`); // top-level navigation carries Lax
    expect(await loggedIn()).toBe(true);
    await page.goto(
      attackPage(`<form id="f" method="post" action="${api.url}/core4/api/v1/logout?everywhere=yes"></form>
        <script>document.getElementById("f").submit()</script>`),
    );
    await page.waitForURL(new RegExp(`^${api.url}/core4/api/v1/logout`));
    expect(await page.content()).toMatch(/same-origin rule/);
    expect(await loggedIn()).toBe(true);
  });

  it("row 8: pages of the server cannot be framed by another origin, and carry the CSP", async () => {
    const framed = `${api.url}/echo/table?content_type=html&text=framed-content`;
    const headers: Record<string, string>[] = [];
    page.on("response", (response) => {
      if (response.url() === framed) headers.push(response.headers());
    });
    await page.goto(attackPage(`<iframe id="victim" src="${framed}" width="600" height="400"></iframe>`));
    await expect.poll(() => headers.length, { timeout: 20_000 }).toBe(1);
    expect(headers[0]?.["content-security-policy"]).toContain("frame-ancestors 'none'");
    // The frame shows Chromium's block page, never the table.
    const frame = page.frames().find((f) => f !== page.mainFrame());
    await frame?.waitForLoadState("load");
    const text = await frame?.evaluate(() => document.body?.textContent ?? "").catch(() => "");
    expect(text ?? "").not.toContain("framed-content");
  });

  it("row 5: after logging in, next=/.//evil.example stays on the site", async () => {
    const fresh = await browser.newContext();
    const tab = await fresh.newPage();
    // Anything off-site would fail to resolve; the test only cares where the browser is sent.
    await tab.goto(`${api.url}/core4/login?next=${encodeURIComponent("/.//evil.example/phish")}`);
    await tab.fill('input[name="username"]', "admin");
    await tab.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([tab.waitForLoadState("load"), tab.click('button[type="submit"]')]);
    await expect.poll(() => new URL(tab.url()).origin, { timeout: 20_000 }).toBe(api.url);
    expect(tab.url()).not.toContain("evil.example/phish");
    await fresh.close();
  });
});
