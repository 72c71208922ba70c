import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import type { JournalEntry } from "../../framework/run/index.js";
import { BROWSER } from "../server/support/test-server.js";
import { startConsoleServer } from "./support/console-server.js";

const args = z.object({ note: z.string().default("") });
class Note extends CoreJob.withArgs(args) {
  static override readonly jobName = "cpages.Note";
  static override readonly schedule = "*/5 * * * *";
  override execute(): void {}
}

const plugin = definePlugin({ name: "cpages", jobs: [Note] });

function entry(i: number, finished: Date): JournalEntry {
  const id = `run${String(i).padStart(5, "0")}`;
  return {
    _id: `${id}:0:1`,
    job_id: id,
    name: "cpages.Note",
    args: { note: `n${i}` },
    state: i % 10 === 0 ? "error" : "complete",
    progress: { value: 1, message: null },
    attempts: 1,
    attemptsLeft: 0,
    enqueued: finished,
    started: finished,
    finished,
    runtime: 0.1,
    sources: [],
    error: i % 10 === 0 ? "boom" : null,
    hostname: "h",
    pid: 1,
    inline: false,
  };
}

describe("console pages over HTTP", async () => {
  const c = await startConsoleServer({ plugins: [plugin], worker: false });
  const html = async (path: string) => {
    const response = await c.admin(path, { headers: BROWSER });
    return { status: response.status, text: await response.text(), response };
  };

  it("redirects / to /core4, and a browser without a session to the login page", async () => {
    const root = await c.server.fetch("/", { headers: BROWSER });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/core4");
    const jobs = await c.server.fetch("/core4/jobs?state=error", { headers: BROWSER });
    expect(jobs.status).toBe(302);
    expect(jobs.headers.get("location")).toBe(
      `/core4/login?next=${encodeURIComponent("/core4/jobs?state=error")}`,
    );
    const css = await c.server.fetch("/core4/static/console.css");
    expect(css.headers.get("content-type")).toMatch(/text\/css/);
    const again = await c.server.fetch("/core4/static/console.css", {
      headers: { "if-none-match": css.headers.get("etag") as string },
    });
    expect(again.status).toBe(304);
  });

  it("needs api://core4/jobs/read for the jobs pages, and shows only the pages a role may open", async () => {
    await c.server.roles.add({ name: "nobody", password: "nobody-password", perm: [] });
    const auth = `Basic ${Buffer.from("nobody:nobody-password").toString("base64")}`;
    const home = await c.server.fetch("/core4", { headers: { ...BROWSER, authorization: auth } });
    expect(home.status).toBe(200);
    const text = await home.text();
    expect(text).toContain("Welcome, nobody");
    expect(text).not.toContain('href="/core4/jobs"');
    expect(text).toContain("Log out");
    const jobs = await c.server.fetch("/core4/jobs", { headers: { ...BROWSER, authorization: auth } });
    expect(jobs.status).toBe(403);
  });

  it("pages the run history newest first through every entry, old ones included", async () => {
    const now = Date.now();
    // 130 runs: most in the last minutes, some hours, days and a year back.
    const ages = Array.from({ length: 130 }, (_, i) =>
      i < 100 ? i * 1_000 : i < 115 ? i * 3_600_000 : i < 125 ? i * 86_400_000 : i * 3 * 86_400_000,
    );
    await c.server.sysDb
      .collection<JournalEntry>("sys.journal")
      .insertMany(ages.map((age, i) => entry(i, new Date(now - age))));
    const seen: string[] = [];
    let path: string | undefined = "/core4/jobs?name=cpages.Note&size=40";
    let pages = 0;
    while (path) {
      const { status, text } = await html(path);
      expect(status).toBe(200);
      const runs = text.slice(text.indexOf('<table class="c4-runs">'));
      seen.push(...[...runs.matchAll(/href="\/core4\/jobs\/(run\d+)"/g)].map((m) => m[1] as string));
      const older = /<a href="([^"]+)" rel="next">Older runs<\/a>/.exec(runs)?.[1];
      path = older?.replaceAll("&amp;", "&");
      pages += 1;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual(ages.map((_, i) => `run${String(i).padStart(5, "0")}`));

    const errors = await html("/core4/jobs?name=cpages.Note&state=error&size=200");
    expect([...errors.text.matchAll(/c4-runs[\s\S]*/g)][0]?.[0].match(/c4-state-error/g)?.length).toBe(13);
  });

  it("shows a job's schedule, arguments escaped, and folds long source lists", async () => {
    const { id } = await c.queue.enqueue("cpages.Note", { note: '<script>alert("x")</script>' });
    const jobs = await html("/core4/jobs");
    expect(jobs.text).toContain("<code>*/5 * * * *</code>");
    const page = await html(`/core4/jobs/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("<script>alert");
    expect(page.text).toContain("&lt;script&gt;alert(");
    expect(page.text).toContain('action="/core4/api/v1/jobs/');
    // No inline script: the only script element loads the console's static file.
    expect(page.text.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    const sources = Array.from({ length: 8 }, (_, i) => `2026-11-0${i + 1}`);
    await c.server.sysDb.collection<JournalEntry>("sys.journal").insertOne({
      ...entry(999, new Date()),
      _id: "folded:0:1",
      job_id: "folded",
      sources,
    });
    const folded = await html("/core4/jobs/folded");
    expect(folded.text).toContain("<details><summary>3 more sources</summary>");
    expect((await html("/core4/jobs/0123456789abcdef01234567")).status).toBe(404);
    const bad = await html(`/core4/jobs?name=${encodeURIComponent('{"$gt": ""}')}`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("argument &quot;name&quot;");
    const unknown = await html("/core4/jobs?name=cpages.Nope");
    expect(unknown.status).toBe(200);
    expect(unknown.text).toContain("No jobs in the queue match.");
  });
});
