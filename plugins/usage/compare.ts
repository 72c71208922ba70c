import { addDays, type CalendarDay, daysBetween } from "./calendar-day.js";
import { ReportArgumentError } from "./report-argument-error.js";
import type { Compare, ComparedRange } from "./types.js";

/** Reads `compare`: `previous` or `year` (any case); blank means no comparison. */
export function parseCompare(value: unknown): Compare | undefined {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    return undefined;
  }
  const key = typeof value === "string" ? value.trim().toLowerCase() : "";
  if (key === "previous" || key === "year") return key;
  const shown = typeof value === "string" ? `"${value.slice(0, 20)}"` : typeof value;
  throw new ReportArgumentError("compare", `compare: ${shown} is not one of previous, year`);
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
