import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HomeLock, ServiceError } from "../../framework/services/index.js";

const home = mkdtempSync(join(tmpdir(), "core4ts-lock-"));
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("HomeLock", () => {
  it("lets one holder in at a time and the next one in after release", async () => {
    const first = await HomeLock.acquire(home);
    let secondIn = false;
    const second = HomeLock.acquire(home).then((lock) => {
      secondIn = true;
      return lock;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(secondIn).toBe(false);
    first.release();
    const lock = await second;
    expect(secondIn).toBe(true);
    lock.release();
    expect(existsSync(join(home, "services.lock"))).toBe(false);
  });

  it("gives up with a message naming the holder", async () => {
    const held = await HomeLock.acquire(home);
    try {
      const failure = HomeLock.acquire(home, { timeoutMs: 200 });
      await expect(failure).rejects.toBeInstanceOf(ServiceError);
      await expect(failure).rejects.toThrow(`another process (pid ${process.pid}) is starting the services`);
    } finally {
      held.release();
    }
  });

  it("breaks a lock whose process is gone", async () => {
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(
      join(home, "services.lock"),
      JSON.stringify({
        pid: deadPid,
        host: (await import("node:os")).hostname(),
        token: "old",
        created: Date.now(),
      }),
    );
    const lock = await HomeLock.acquire(home, { timeoutMs: 1_000 });
    lock.release();
  });

  it("breaks a lock older than staleMs", async () => {
    writeFileSync(
      join(home, "services.lock"),
      JSON.stringify({ pid: process.pid, host: "elsewhere", token: "old", created: Date.now() - 10_000 }),
    );
    const lock = await HomeLock.acquire(home, { timeoutMs: 1_000, staleMs: 5_000 });
    lock.release();
  });
});
