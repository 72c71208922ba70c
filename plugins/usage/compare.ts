import { compareArgument, readReportArgument } from "./argument-schemas.js";
import { addDays, type CalendarDay, daysBetween } from "./calendar-day.js";
import type { Compare, ComparedRange } from "./types.js";

/** Reads `compare`: `previous` or `year` (any case); blank means no comparison. */
export function parseCompare(value: unknown): Compare | undefined {
  return readReportArgument(
    "compare",
    value,
    compareArgument,
    (shown) => `${shown} is not one of previous, year`,
  );
}

/** The same calendar date one year earlier; Feb 29 becomes Feb 28. */
export function yearEarlier(day: CalendarDay): CalendarDay {
  const year = Number(day.slice(0, 4)) - 1;
  const monthDay = day.slice(5) === "02-29" ? "02-28" : day.slice(5);
  return `${String(year).padStart(4, "0")}-${monthDay}`;
}

/**
 * The range a report is compared with (docs/contracts.md "Usage plugin routes"): `previous` is the
 * preceding range of equal length in days, `[start − L, start − 1]`; `year` the same range one year earlier.
 */
export function comparedRange(start: CalendarDay, end: CalendarDay, compare: Compare): ComparedRange {
  if (compare === "year") return { compare, start: yearEarlier(start), end: yearEarlier(end) };
  const length = daysBetween(start, end) + 1;
  return { compare, start: addDays(start, -length), end: addDays(start, -1) };
}
