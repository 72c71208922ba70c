import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Runtime, runInline } from "../../framework/index.js";
import usage, { AggregateLogins, generateSampleLogins } from "../../plugins/usage/index.js";
import { type RunningServer, startServer } from "../../server/index.js";
import { ROOT } from "../support/run-coco.js";
import { testMongoClient, testMongoUri, testRedisUrl, uniqueName } from "../support/services.js";

vi.setConfig({ testTimeout: 120_000 });

// Debian's chromium, installed by .ci/run; set CORE4_CHROMIUM to use another binary.
const CHROMIUM = process.env.CORE4_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(ROOT, "test-results");
const PASSWORD = "browser-admin-pw";

describe("usage page in a real browser (JavaScript off)", () => {
  let runtime: Runtime;
  let server: RunningServer;
  let browser: Browser;
  let sysDatabase: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CORE4_CHROMIUM)`);
    const uri = await testMongoUri();
    sysDatabase = uniqueName("browser");
    runtime = await Runtime.start({
      plugins: [usage],
      env: {},
      overrides: {
        mongodb: { uri, sysDatabase },
        redis: { url: testRedisUrl() },
        log: { level: "warn" },
        server: { adminPassword: PASSWORD },
        usage: { sysLog: `${sysDatabase}/sys.log`, login: `${sysDatabase}_usage/login` },
      },
    });
    const end = new Date().toISOString().slice(0, 10);
    await runtime.mongo
      .collection(`${sysDatabase}/sys.log`)
      .insertMany(generateSampleLogins({ users: 25, days: 120, end }));
    const start = new Date(Date.now() - 119 * 86_400_000).toISOString().slice(0, 10);
    await runInline(runtime, AggregateLogins, { start });
    server = await startServer(runtime, { plugins: [usage], port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    const client = await testMongoClient();
    await client.db(sysDatabase).dropDatabase();
    await client.db(`${sysDatabase}_usage`).dropDatabase();
    await runtime?.close();
  });

  it("logs in through the login page, shows chart and table, and the form changes the aggregate", async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1200, height: 1300 },
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/usage/login`);
    // A browser without a session lands on the login page and comes back after logging in.
    expect(new URL(page.url()).pathname).not.toBe("/usage/login");
    await page.fill('input[name="username"]', "admin");
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([
      page.waitForURL(/\/usage\/login/),
      page.click('button[type="submit"], input[type="submit"]'),
    ]);

    const svg = page.locator("svg[role='img']");
    await expect.poll(() => svg.count()).toBe(1);
    expect(await svg.locator("title").first().textContent()).toMatch(/week/);
    const weekRows = await page.locator("table tbody tr").count();
    expect(weekRows).toBeGreaterThanOrEqual(13);
    expect(await page.content()).toContain("UTC");

    await page.selectOption('select[name="aggregate"]', "month");
    await Promise.all([
      page.waitForURL(/aggregate=month/),
      page.click('form[action="/usage/login"] button[type="submit"]'),
    ]);
    const monthLabels = await page
      .locator("table tbody tr th, table tbody tr td:first-child")
      .allTextContents();
    expect(monthLabels.some((label) => /^\s*\d{4}-\d{2}\s*$/.test(label))).toBe(true);
    expect(await page.locator("table tbody tr").count()).toBeLessThan(weekRows);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, "usage-page.png"), fullPage: true });
    expect(existsSync(join(SCREENSHOTS, "usage-page.png"))).toBe(true);
    await context.close();
  });
});
