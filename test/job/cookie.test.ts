import { describe, expect, it } from "vitest";
import { Cookie, type CookieDocument, CoreJob } from "../../framework/job/index.js";
import { definePlugin } from "../../framework/plugin.js";
import { runInline } from "../../framework/run/index.js";
import { createTestRuntime } from "./support.js";

class Counter extends CoreJob {
  static override readonly jobName = "t.Counter";
  override async execute(): Promise<void> {
    const runs = await this.cookie.inc("runs");
    await this.cookie.set("lastRun", runs);
  }
}

describe("cookie", async () => {
  const runtime = await createTestRuntime([definePlugin({ name: "t", jobs: [Counter] })]);
  const cookies = runtime.mongo.sys<CookieDocument>("cookie");

  it("keeps durable per-job-type state in sys.cookie with atomic operations", async () => {
    const cookie = new Cookie(cookies, "t.State");
    expect(await cookie.get("offset")).toBeUndefined();
    expect(await cookie.get("offset", 7)).toBe(7);
    await cookie.set("offset", new Date("2026-01-01T00:00:00Z"));
    await cookie.set({ a: 1, b: "x" });
    expect(await cookie.inc("a")).toBe(2);
    expect(await cookie.inc("a", 5)).toBe(7);
    expect(await cookie.dec("a", 2)).toBe(5);
    expect(await cookie.max("a", 3)).toBe(5);
    expect(await cookie.max("a", 9)).toBe(9);
    expect(await cookie.min("a", 4)).toBe(4);
    await cookie.delete("b");
    expect(await cookie.all()).toEqual({ offset: new Date("2026-01-01T00:00:00Z"), a: 4 });
    expect(await cookies.findOne({ _id: "t.State" })).toEqual({
      _id: "t.State",
      offset: new Date("2026-01-01T00:00:00Z"),
      a: 4,
    });
    await cookie.delete();
    expect(await cookies.findOne({ _id: "t.State" })).toBeNull();
    await expect(cookie.set("_id", 1)).rejects.toThrow(/not allowed/);
  });

  it("loses no increment under concurrent writers", async () => {
    const cookie = new Cookie(cookies, "t.Concurrent");
    await Promise.all(Array.from({ length: 20 }, () => cookie.inc("n")));
    expect(await cookie.get("n")).toBe(20);
  });

  it("is shared by a job type's runs and records last_runtime after a successful run", async () => {
    const before = new Date();
    await runInline(runtime, Counter);
    await runInline(runtime, Counter);
    const doc = await cookies.findOne({ _id: "t.Counter" });
    expect(doc?.runs).toBe(2);
    expect(doc?.lastRun).toBe(2);
    expect(doc?.last_runtime).toBeInstanceOf(Date);
    expect(doc?.last_runtime?.getTime() ?? 0).toBeGreaterThanOrEqual(before.getTime());
  });
});
