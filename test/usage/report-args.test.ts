import { describe, expect, it } from "vitest";
import { usageConfigSchema } from "../../plugins/usage/config.js";
import { parseDimension, parseReportArgs } from "../../plugins/usage/report-args.js";
import { ReportArgumentError } from "../../plugins/usage/report-argument-error.js";

const now = new Date("2026-11-27T12:00:00Z");
const context = { timezone: "UTC", maxRangeDays: 3660, now };

function rejection(fn: () => unknown): ReportArgumentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ReportArgumentError) return error;
    throw error;
  }
  throw new Error("expected a ReportArgumentError");
}

describe("report arguments", () => {
  it("defaults to the last 90 days by week, ending today in the report zone", () => {
    expect(parseReportArgs({}, context)).toEqual({
      start: "2026-08-29",
      end: "2026-11-27",
      aggregate: "week",
      today: "2026-11-27",
    });
    const late = { ...context, timezone: "Pacific/Auckland" };
    expect(parseReportArgs({}, late).end).toBe("2026-11-28");
  });

  it("accepts d|w|m|q|y and full names in any case", () => {
    for (const [given, expected] of [
      ["D", "day"],
      ["w", "week"],
      ["Month", "month"],
      ["q", "quarter"],
      ["YEAR", "year"],
    ]) {
      expect(parseReportArgs({ aggregate: given }, context).aggregate).toBe(expected);
    }
  });

  it("takes blank words as not given and refuses inherited names", () => {
    const blank = parseReportArgs({ aggregate: " ", compare: "" }, context);
    expect(blank.aggregate).toBe("week");
    expect(blank.compare).toBeUndefined();
    for (const word of ["__proto__", "constructor", "toString"]) {
      expect(rejection(() => parseReportArgs({ aggregate: word }, context)).message).toBe(
        `aggregate: "${word}" is not one of day, week, month, quarter, year (or d, w, m, q, y)`,
      );
    }
  });

  it("reads dates and datetimes as their calendar date in the report zone", () => {
    const berlin = { ...context, timezone: "Europe/Berlin" };
    expect(parseReportArgs({ start: "2026-11-01", end: "2026-11-26T23:30:00Z" }, berlin).end).toBe(
      "2026-11-27",
    );
    expect(parseReportArgs({ start: "2026-11-01T23:30:00", end: "2026-11-02" }, berlin).start).toBe(
      "2026-11-01",
    );
    expect(
      parseReportArgs({ start: new Date("2026-10-31T23:30:00Z"), end: "2026-11-02" }, berlin).start,
    ).toBe("2026-11-01");
  });

  it("rejects bad values with a 400 error naming the argument", () => {
    const bad = rejection(() => parseReportArgs({ start: "yesterday" }, context));
    expect(bad).toMatchObject({ argument: "start", code: "USAGE_REPORT_ARGUMENT", kind: "invalid_argument" });
    expect(bad.message).toMatch(/^start: "yesterday"/);
    expect(rejection(() => parseReportArgs({ end: "2026-02-30" }, context)).argument).toBe("end");
    expect(rejection(() => parseReportArgs({ aggregate: "fortnight" }, context)).argument).toBe("aggregate");
    const reversed = rejection(() => parseReportArgs({ start: "2026-11-10", end: "2026-11-01" }, context));
    expect(reversed).toMatchObject({
      argument: "end",
      message: "end: 2026-11-01 is before start 2026-11-10",
    });
    const long = rejection(() => parseReportArgs({ start: "2010-01-01" }, { ...context, maxRangeDays: 365 }));
    expect(long.argument).toBe("start");
    expect(long.message).toContain("usage.maxRangeDays");
  });

  it("accepts a range of exactly maxRangeDays days", () => {
    expect(
      parseReportArgs({ start: "2026-11-18", end: "2026-11-27" }, { ...context, maxRangeDays: 10 }).start,
    ).toBe("2026-11-18");
  });

  it("reads chart dimensions", () => {
    expect(parseDimension("width", "640")).toBe(640);
    expect(parseDimension("width", undefined)).toBeUndefined();
    expect(parseDimension("height", " 300 ")).toBe(300);
    expect(parseDimension("height", "")).toBeUndefined();
    expect(rejection(() => parseDimension("height", "12px")).argument).toBe("height");
    expect(rejection(() => parseDimension("width", 99)).message).toBe(
      "width: expected a whole number of pixels from 100 to 10000",
    );
  });
});

describe("usage config section", () => {
  it("has the documented defaults", () => {
    expect(usageConfigSchema.parse({})).toEqual({
      sysLog: "core4/sys.log",
      login: "usage/login",
      start: "2018-01-01",
      timezone: "UTC",
      weekStartsOn: "monday",
      excludeUsers: [],
      maxRangeDays: 3660,
    });
  });

  it("rejects an unknown time zone and a bad start day", () => {
    expect(usageConfigSchema.safeParse({ timezone: "Mars/Olympus" }).success).toBe(false);
    expect(usageConfigSchema.safeParse({ timezone: "Europe/Berlin" }).success).toBe(true);
    expect(usageConfigSchema.safeParse({ start: "2018-13-01" }).success).toBe(false);
    expect(usageConfigSchema.safeParse({ weekStartsOn: "tuesday" }).success).toBe(false);
  });
});
