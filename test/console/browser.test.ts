import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { JOBS_READ_PERMISSION } from "../../server/index.js";
import { eventually, sleep } from "../job/support.js";
import { ADMIN_PASSWORD } from "../server/support/test-server.js";
import { ROOT } from "../support/run-coco.js";
import { type ConsoleServer, startConsoleServer } from "./support/console-server.js";

vi.setConfig({ testTimeout: 120_000 });

// Debian's chromium, installed by .ci/run; set CORE4_CHROMIUM to use another binary.
const CHROMIUM = process.env.CORE4_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(ROOT, "test-results");

class Quick extends CoreJob {
  static override readonly jobName = "cbrowser.Quick";
  override async execute(): Promise<void> {
    await this.progress(0.5, "halfway");
    this.logger.info("quick work done");
  }
}

class Slow extends CoreJob {
  static override readonly jobName = "cbrowser.Slow";
  static override readonly progressInterval = 0.2;
  override async execute(): Promise<void> {
    for (let step = 1; step <= 300 && !this.signal.aborted; step++) {
      await this.progress(step / 300, "step %d", step);
      await sleep(100);
    }
  }
}

const failsArgs = z.object({ n: z.number().default(0) });
class Fails extends CoreJob.withArgs(failsArgs) {
  static override readonly jobName = "cbrowser.Fails";
  override execute(): void {
    throw new Error("this job always fails");
  }
}

const plugin = definePlugin({ name: "cbrowser", jobs: [Quick, Slow, Fails] });

describe("operator console in a real browser (JavaScript off)", () => {
  let c: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: apt-get install chromium (or set CORE4_CHROMIUM)`);
    c = await startConsoleServer({ plugins: [plugin] });
    await c.server.roles.add({ name: "reader", password: "reader-password", perm: [JOBS_READ_PERMISSION] });
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
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function logIn(name: string, password: string, path = "/core4/jobs"): Promise<Page> {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${c.server.url}${path}`);
    expect(new URL(page.url()).pathname).toBe("/core4/login");
    await page.fill('input[name="username"]', name);
    await page.fill('input[name="password"]', password);
    await submit(page, page.locator('button[type="submit"]'));
    expect(new URL(page.url()).pathname).toBe(path);
    return page;
  }

  /** Clicks a form's button and waits until the page the 303 leads to has loaded. */
  async function submit(page: Page, button: Locator): Promise<void> {
    const landed = page.waitForResponse(
      (r) => r.request().method() === "GET" && r.request().resourceType() === "document",
    );
    try {
      await button.click();
    } catch (error) {
      landed.catch(() => undefined);
      throw error;
    }
    await landed;
    await page.waitForLoadState("load");
  }

  const typeRow = (page: Page, name: string) => page.locator(`table.c4-types tr[data-type="${name}"]`);

  /** Reloads until the job's page shows the state (the page has no script to refresh itself). */
  async function waitForState(page: Page, state: string): Promise<void> {
    await eventually(async () => {
      await page.reload();
      return (await page.locator("dl.c4-facts .c4-state").first().textContent()) === state ? true : undefined;
    }, 200);
  }

  it("shows the login page styled, and the home page lists the pages with navigation", async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 900, height: 600 },
    });
    const login = await context.newPage();
    await login.goto(`${c.server.url}/`);
    expect(new URL(login.url()).pathname).toBe("/core4/login");
    await login.screenshot({ path: join(SCREENSHOTS, "console-login.png") });
    await context.close();

    const page = await logIn("admin", ADMIN_PASSWORD, "/core4");
    await expect
      .poll(() => page.locator("ul.c4-pages a").allTextContents())
      .toEqual([expect.stringContaining("Jobs")]);
    expect(await page.locator("header.c4-top .c4-user").textContent()).toBe("admin");
    await submit(page, page.locator('header.c4-top button:has-text("Log out")'));
    await page.context().close();
  });

  it("pauses a type (an enqueued job stays pending), resumes it, and shows the run's log records", async () => {
    const page = await logIn("admin", ADMIN_PASSWORD);
    expect(await page.locator("header.c4-top nav a").allTextContents()).toContain("Jobs");
    await submit(page, typeRow(page, "cbrowser.Quick").locator("button:has-text('Pause')"));
    expect(await typeRow(page, "cbrowser.Quick").locator(".c4-state-paused").count()).toBe(1);

    const { id } = await c.queue.enqueue("cbrowser.Quick");
    await sleep(1_500);
    await page.reload();
    const row = page.locator("table.c4-jobs tr", { has: page.locator(`a[href="/core4/jobs/${id}"]`) });
    expect(await row.locator(".c4-state").textContent()).toBe("pending");
    expect((await c.queue.get(id)).state).toBe("pending");
    await page.screenshot({ path: join(SCREENSHOTS, "console-jobs-paused.png"), fullPage: true });

    await submit(page, typeRow(page, "cbrowser.Quick").locator("button:has-text('Resume')"));
    await eventually(async () => ((await c.queue.get(id)).state === "complete" ? true : undefined));
    await c.server.flushLogs();
    await page.reload();
    await submit(page, page.locator(`a[href="/core4/jobs/${id}"]`).first());
    expect(await page.locator("dl.c4-facts .c4-state").textContent()).toBe("complete");
    const messages = await page.locator("table.c4-log tbody tr").allTextContents();
    expect(messages.some((m) => /INFO.*started/.test(m))).toBe(true);
    expect(messages.some((m) => /quick work done/.test(m))).toBe(true);
    expect(messages.some((m) => /INFO.*complete in/.test(m))).toBe(true);
    expect(await page.locator("table.c4-job-runs tbody tr").count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, "console-job.png"), fullPage: true });
    await page.context().close();
  });

  it("kills a running job from its page and restarts it", async () => {
    const page = await logIn("admin", ADMIN_PASSWORD);
    const { id } = await c.queue.enqueue("cbrowser.Slow");
    await page.goto(`${c.server.url}/core4/jobs/${id}`);
    await waitForState(page, "running");
    await submit(page, page.locator("button:has-text('Kill')"));
    await waitForState(page, "killed");
    expect(await page.locator("button:has-text('Kill')").count()).toBe(0);
    await submit(page, page.locator("button:has-text('Restart')"));
    await waitForState(page, "running");
    await page.screenshot({ path: join(SCREENSHOTS, "console-job-running.png"), fullPage: true });
    await c.queue.kill(id);
    await eventually(async () => ((await c.queue.get(id)).state === "killed" ? true : undefined));
    await page.context().close();
  });

  it("restarts all jobs of a type in error with one button", async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3]) ids.push((await c.queue.enqueue("cbrowser.Fails", { n })).id);
    await eventually(async () => {
      const states = await Promise.all(ids.map(async (id) => (await c.queue.get(id)).state));
      return states.every((s) => s === "error") ? true : undefined;
    });
    const page = await logIn("admin", ADMIN_PASSWORD);
    const row = typeRow(page, "cbrowser.Fails");
    // Paused, the restarted jobs stay pending where the page can count them.
    await submit(page, row.locator("button:has-text('Pause')"));
    await expect
      .poll(async () => {
        await page.reload();
        return row.locator("button").allTextContents();
      })
      .toContainEqual(expect.stringMatching(/^Restart all in error \(\d+\)$/));
    await submit(page, row.locator("button:has-text('Restart all in error')"));
    expect(await row.locator("button:has-text('Restart all in error')").count()).toBe(0);
    for (const id of ids) expect((await c.queue.get(id)).state).toBe("pending");
    await submit(page, row.locator("button:has-text('Resume')"));
    await page.context().close();
  });

  it("shows a read-only user no buttons, and refuses a forged form post with 403", async () => {
    const { id } = await c.queue.enqueue("cbrowser.Fails", { n: 99 });
    await eventually(async () => ((await c.queue.get(id)).state === "error" ? true : undefined));
    const page = await logIn("reader", "reader-password");
    expect(await page.locator("table.c4-types tbody tr").count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator("main form[method='post']").count()).toBe(0);
    expect(await page.locator("main button").count()).toBe(1); // the filter's
    await page.goto(`${c.server.url}/core4/jobs/${id}`);
    expect(await page.locator("dl.c4-facts .c4-state").textContent()).toBe("error");
    expect(await page.locator("main form[method='post']").count()).toBe(0);
    // The same form a manager's page would post, sent with the reader's session cookie from the same origin.
    const forged = await page.context().request.post(`${c.server.url}/core4/api/v1/jobs/${id}/restart`, {
      form: { next: `/core4/jobs/${id}` },
      headers: { origin: c.server.url, accept: "text/html" },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect((await c.queue.get(id)).state).toBe("error");
    await page.screenshot({ path: join(SCREENSHOTS, "console-job-readonly.png"), fullPage: true });
    await page.context().close();
  });
});
