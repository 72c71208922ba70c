import { describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { parseJobArgs } from "../../framework/job/index.js";
import { parseIsoDate } from "../../framework/parse/iso-date.js";
import { parseReportArgs } from "../../plugins/usage/report-args.js";
import { arg } from "../../server/index.js";
import { runCoco } from "../support/run-coco.js";

vi.setConfig({ testTimeout: 120_000 });

const IMPOSSIBLE = [
  "2026-02-30",
  "2025-02-29",
  "2026-13-01",
  "2026-00-10",
  "2026-04-31",
  "2026-11-27T24:00",
  "2026-11-27T10:60",
];

describe("one strict ISO date parser", () => {
  it("refuses days that do not exist instead of rolling them over", () => {
    for (const text of IMPOSSIBLE) expect(parseIsoDate(text), text).toBeUndefined();
    expect(parseIsoDate("2024-02-29")?.instant).toEqual(new Date("2024-02-29T00:00:00Z"));
    expect(parseIsoDate("2026-11-27T10:00:00+01:00")).toMatchObject({
      day: "2026-11-27",
      hasZone: true,
      instant: new Date("2026-11-27T09:00:00Z"),
    });
  });

  it("is the one job arguments, request arguments and the usage report use", () => {
    const schema = z.object({ day: z.date() });
    for (const text of IMPOSSIBLE) {
      expect(() => parseJobArgs("t.Dated", schema, { day: text }), text).toThrow(/argument "day"/);
      expect(arg.date().safeParse(text).success, text).toBe(false);
      expect(
        () => parseReportArgs({ start: text, end: "2026-11-27" }, { timezone: "UTC", maxRangeDays: 3660 }),
        text,
      ).toThrow(/^start: /);
    }
    expect(parseJobArgs("t.Dated", schema, { day: "2024-02-29" }).day).toEqual(
      new Date("2024-02-29T00:00:00Z"),
    );
    expect(arg.date().parse("2024-02-29")).toEqual(new Date("2024-02-29T00:00:00Z"));
  });

  it("names a missing required argument in words, not zod's", () => {
    expect(() => parseJobArgs("t.Dated", z.object({ day: z.date() }), {})).toThrow(
      'missing argument "day" for t.Dated (required: give day=<date>)',
    );
  });

  it("makes coco run exit 1 naming the argument, nothing run", async () => {
    const result = await runCoco(["run", "usage.AggregateLogins", "start=2026-02-30"], {
      CORE4_MONGODB_URI: "embedded:memory",
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^coco: invalid argument "start" for usage\.AggregateLogins/);
    const json = await runCoco(["run", "usage.AggregateLogins", "start=2026-02-30", "--json"], {
      CORE4_MONGODB_URI: "embedded:memory",
    });
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({ code: "bad_argument", argument: "start" });
  });
});
