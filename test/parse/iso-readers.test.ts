import { describe, expect, it } from "vitest";
import { parseAt } from "../../framework/queue/index.js";
import { parseExpires } from "../../server/embed/expires.js";

const now = new Date("2026-01-10T00:00:00Z");

describe("every ISO date reader", () => {
  it("reads `--at` and the jobs API's `at` with the one ISO reader", () => {
    expect(parseAt("2026-12-01T08:00:00Z")).toEqual(new Date("2026-12-01T08:00:00Z"));
    expect(parseAt(" 2026-12-01T09:00:00+01:00 ")).toEqual(new Date("2026-12-01T08:00:00Z"));
    for (const text of ["2026-02-30T08:00:00Z", "2026-13-01", "tomorrow", "2026-12-01 junk"]) {
      expect(() => parseAt(text, "--at"), text).toThrow(/^--at must be an ISO date-time/);
    }
  });

  it("reads a signed link's `expires` with the one ISO reader", () => {
    expect(parseExpires("2026-01-20", 365, now)).toBe(Date.parse("2026-01-20T00:00:00Z") / 1000);
    expect(() => parseExpires("2026-02-30", 365, now)).toThrow(/^expires: "2026-02-30" is not a duration/);
  });
});
