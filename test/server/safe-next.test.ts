import { describe, expect, it } from "vitest";
import { patternGrants } from "../../server/auth/permissions.js";
import { safeNext } from "../../server/auth/safe-next.js";

describe("safeNext", () => {
  it("keeps same-origin paths with query and hash", () => {
    expect(safeNext("/usage/login?aggregate=month#table")).toBe("/usage/login?aggregate=month#table");
  });

  it("replaces anything that could leave the site", () => {
    for (const next of [
      "https://evil.example/",
      "//evil.example",
      "/\\evil.example",
      "\\\\evil.example",
      "javascript:alert(1)",
      "/ok\r\nSet-Cookie: x=1",
      "/\u0000",
      "",
      undefined,
      42,
    ]) {
      expect(safeNext(next, "/home")).toBe("/home");
    }
  });
});

describe("permission patterns", () => {
  it("match literally, with * as a wildcard", () => {
    expect(patternGrants("api://usage/login", "api://usage/login")).toBe(true);
    expect(patternGrants("api://usage/*", "api://usage/login/raw")).toBe(true);
    expect(patternGrants("*", "api://anything")).toBe(true);
    expect(patternGrants("api://usage/login", "api://usage/login/raw")).toBe(false);
    expect(patternGrants("api://usage.login", "api://usageXlogin")).toBe(false);
    expect(patternGrants("api://usage/(.*)", "api://usage/login")).toBe(false);
  });
});
