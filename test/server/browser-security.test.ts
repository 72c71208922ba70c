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
// Submits form #f once the attacker's page has loaded, so `page.goto` is not cut short by the navigation.
const AUTO_SUBMIT = `<script>addEventListener("load", () => setTimeout(() => document.getElementById("f").submit(), 50))</script>`;

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
        <input name="perm" value='["*"]'></form>${AUTO_SUBMIT}`),
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(1);
    // The form's navigation ends on the server's 403 page before the next one starts.
    await page.waitForURL((url) => url.origin === api.url);
    await page.waitForLoadState("load");
    // A text/plain form with the arguments in the action URL.
    await page.goto(
      attackPage(`<form id="f" method="post" enctype="text/plain"
        action="${api.url}/core4/api/v1/roles?name=${names[1]}&password=csrf-password-1&perm=${perm}">
        <input name="x" value="y"></form>${AUTO_SUBMIT}`),
    );
    await expect.poll(() => statuses.length, { timeout: 20_000 }).toBe(2);
    // The form's navigation ends on the server's 403 page before the next one starts.
    await page.waitForURL((url) => url.origin === api.url);
    await page.waitForLoadState("load");
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
    // The form's navigation must end before the next one starts (a goto would interrupt it).
    const settled = page.waitForURL((url) => url.pathname !== "/core4/login", { waitUntil: "load" });
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
    await settled;
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
        ${AUTO_SUBMIT}`),
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

  it("row 5: a login with next=/.//evil.example never sends the browser off-site", async () => {
    const fresh = await browser.newContext();
    // The attacker's site, answered by the browser itself: if a redirect left, the tab would show it.
    await fresh.route("http://evil.example/**", (route) =>
      route.fulfill({ body: "phished", contentType: "text/plain" }),
    );
    const tab = await fresh.newPage();
    const offSite: string[] = [];
    tab.on("request", (request) => {
      if (new URL(request.url()).host === "evil.example") offSite.push(request.url());
    });
    const next = "/.//evil.example/phish";
    // Through the login page, as a user following a crafted link.
    await tab.goto(`${api.url}/core4/login?next=${encodeURIComponent(next)}`);
    await tab.fill('input[name="username"]', "admin");
    await tab.fill('input[name="password"]', ADMIN_PASSWORD);
    await Promise.all([
      tab.waitForURL((url) => url.pathname !== "/core4/login" || url.host === "evil.example"),
      tab.click('button[type="submit"]'),
    ]);
    expect(new URL(tab.url()).origin).toBe(api.url);
    // Posted by the attacker's page straight to the login endpoint (login CSRF with the attacker's account).
    await tab.goto(
      attackPage(`<form id="f" method="post" action="${api.url}/core4/api/v1/login">
        <input name="username" value="admin"><input name="password" value="${ADMIN_PASSWORD}">
        <input name="next" value="${next}"></form>${AUTO_SUBMIT}`),
    );
    await tab.waitForURL((url) => url.origin === api.url || url.host === "evil.example");
    await tab.waitForLoadState("load");
    expect(new URL(tab.url()).origin).toBe(api.url);
    expect(offSite).toEqual([]);
    expect(await tab.content()).not.toContain("phished");
    await fresh.close();
  });
});
