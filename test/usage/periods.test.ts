import { describe, expect, it } from "vitest";
import { dayBounds, dayOfInstant } from "../../plugins/usage/calendar-day.js";
import { coverRange, enumeratePeriods, isPartial, periodOf } from "../../plugins/usage/periods.js";

describe("periods", () => {
  it("puts 2024-12-30 into ISO week 2025-W01", () => {
    expect(periodOf("2024-12-30", "week")).toEqual({
      label: "2025-W01",
      start: "2024-12-30",
      end: "2025-01-05",
    });
    expect(periodOf("2021-01-03", "week").label).toBe("2020-W53");
  });

  it("labels Sunday weeks by their first day", () => {
    expect(periodOf("2026-11-27", "week", "sunday")).toEqual({
      label: "2026-11-22",
      start: "2026-11-22",
      end: "2026-11-28",
    });
  });

  it("labels days, months, quarters and years", () => {
    expect(periodOf("2026-11-27", "day").label).toBe("2026-11-27");
    expect(periodOf("2026-11-27", "month")).toEqual({
      label: "2026-11",
      start: "2026-11-01",
      end: "2026-11-30",
    });
    expect(periodOf("2026-11-27", "quarter")).toEqual({
      label: "2026-Q4",
      start: "2026-10-01",
      end: "2026-12-31",
    });
    expect(periodOf("2024-02-10", "quarter").label).toBe("2024-Q1");
    expect(periodOf("2026-11-27", "year")).toEqual({ label: "2026", start: "2026-01-01", end: "2026-12-31" });
  });

  it("enumerates every period overlapping the range, both ends inclusive", () => {
    expect(enumeratePeriods("2026-01-31", "2026-03-01", "month").map((p) => p.label)).toEqual([
      "2026-01",
      "2026-02",
      "2026-03",
    ]);
    expect(enumeratePeriods("2024-12-25", "2025-01-06", "week").map((p) => p.label)).toEqual([
      "2024-W52",
      "2025-W01",
      "2025-W02",
    ]);
    expect(enumeratePeriods("2026-11-27", "2026-11-27", "day")).toHaveLength(1);
    expect(enumeratePeriods("2024-02-28", "2024-03-01", "day").map((p) => p.label)).toEqual([
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
  });

  it("marks periods cut by the range or not yet ended as partial", () => {
    const [first, middle, last] = enumeratePeriods("2026-01-15", "2026-03-31", "month");
    const today = "2026-11-28";
    expect(isPartial(first as never, "2026-01-15", "2026-03-31", today)).toBe(true);
    expect(isPartial(middle as never, "2026-01-15", "2026-03-31", today)).toBe(false);
    expect(isPartial(last as never, "2026-01-15", "2026-03-31", today)).toBe(false);
    const [current] = enumeratePeriods("2026-11-01", "2026-11-30", "month");
    expect(isPartial(current as never, "2026-11-01", "2026-11-30", "2026-11-28")).toBe(true);
    expect(isPartial(current as never, "2026-11-01", "2026-11-30", "2026-12-01")).toBe(false);
  });
});

describe("calendar days in the report zone", () => {
  it("counts a 23:30 UTC login on the next day in Europe/Berlin", () => {
    const instant = new Date("2026-11-26T23:30:00Z");
    expect(dayOfInstant(instant, "UTC")).toBe("2026-11-26");
    expect(dayOfInstant(instant, "Europe/Berlin")).toBe("2026-11-27");
  });

  it("bounds a day by local midnights, 23 hours across the spring change", () => {
    const { from, to } = dayBounds("2026-03-29", "Europe/Berlin");
    expect(from.toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(to.toISOString()).toBe("2026-03-29T22:00:00.000Z");
    expect(dayBounds("2026-11-27", "UTC").from.toISOString()).toBe("2026-11-27T00:00:00.000Z");
  });
});

describe("coverRange", () => {
  it("splits a range into whole years, quarters, months and edge days", () => {
    expect(coverRange("2023-11-15", "2025-02-03")).toEqual([
      { unit: "day", start: "2023-11-15", end: "2023-11-30" },
      { unit: "month", start: "2023-12-01", end: "2023-12-31" },
      { unit: "year", start: "2024-01-01", end: "2024-12-31" },
      { unit: "month", start: "2025-01-01", end: "2025-01-31" },
      { unit: "day", start: "2025-02-01", end: "2025-02-03" },
    ]);
    expect(coverRange("2024-04-01", "2024-09-30")).toEqual([
      { unit: "quarter", start: "2024-04-01", end: "2024-06-30" },
      { unit: "quarter", start: "2024-07-01", end: "2024-09-30" },
    ]);
    expect(coverRange("2024-02-10", "2024-02-12")).toEqual([
      { unit: "day", start: "2024-02-10", end: "2024-02-12" },
    ]);
  });
});

describe("periods against date-fns", () => {
  it("agree with date-fns' ISO weeks, Sunday weeks, months, quarters and years for every day of 2020–2026", async () => {
    const { tz } = await import("@date-fns/tz");
    const fns = await import("date-fns");
    const UTC = tz("UTC");
    const day = (d: Date) => fns.format(d, "yyyy-MM-dd", { in: UTC });
    for (let t = Date.UTC(2020, 0, 1); t <= Date.UTC(2026, 11, 31); t += 86_400_000) {
      const date = new Date(t);
      const text = date.toISOString().slice(0, 10);
      const monday = periodOf(text, "week");
      expect(monday.label).toBe(fns.format(date, "RRRR-'W'II", { in: UTC }));
      expect(monday.start).toBe(day(fns.startOfISOWeek(date, { in: UTC })));
      expect(periodOf(text, "week", "sunday").start).toBe(
        day(fns.startOfWeek(date, { weekStartsOn: 0, in: UTC })),
      );
      expect(periodOf(text, "month").end).toBe(day(fns.endOfMonth(date, { in: UTC })));
      expect(periodOf(text, "quarter").start).toBe(day(fns.startOfQuarter(date, { in: UTC })));
      expect(periodOf(text, "quarter").label).toBe(fns.format(date, "yyyy-'Q'Q", { in: UTC }));
    }
  });
});
