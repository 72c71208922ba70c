import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveSecret } from "../../server/auth/secret.js";

describe("token secret", () => {
  const homes: string[] = [];
  const home = () => {
    const dir = join(mkdtempSync(join(tmpdir(), "core4ts-secret-")), "home");
    homes.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of homes.splice(0)) rmSync(join(dir, ".."), { recursive: true, force: true });
  });

  it("uses the configured secret", () => {
    expect(resolveSecret({ secret: "configured-secret-value", home: home(), env: {} })).toBe(
      "configured-secret-value",
    );
  });

  it("generates one into home, readable by the owner only, and reuses it", () => {
    const dir = home();
    const first = resolveSecret({ secret: undefined, home: dir, env: {} });
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, "secret")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "secret"), "utf8").trim()).toBe(first);
    expect(resolveSecret({ secret: undefined, home: dir, env: {} })).toBe(first);
  });

  it("replaces a short or empty secret file instead of signing with it", () => {
    for (const weak of ["abc", "", "   \n", "fifteen-chars!!"]) {
      const dir = home();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "secret"), weak, { mode: 0o600 });
      const secret = resolveSecret({ secret: undefined, home: dir, env: {} });
      expect(secret.length, JSON.stringify(weak)).toBeGreaterThanOrEqual(32);
      expect(readFileSync(join(dir, "secret"), "utf8").trim()).toBe(secret);
      expect(statSync(join(dir, "secret")).mode & 0o777).toBe(0o600);
    }
  });

  it("refuses a configured secret shorter than 16 characters", () => {
    expect(() => resolveSecret({ secret: "short", home: home(), env: {} })).toThrow(/at least 16 characters/);
  });

  it("is required in production", () => {
    expect(() => resolveSecret({ secret: undefined, home: home(), env: { NODE_ENV: "production" } })).toThrow(
      /CORE4_SECRET .* is required when NODE_ENV=production/,
    );
  });
});
