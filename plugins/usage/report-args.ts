import { parseIsoDate } from "core4ts";
import { aggregateArgument, dimensionArgument, readReportArgument } from "./argument-schemas.js";
import { addDays, type CalendarDay, dayOfInstant, daysBetween, todayIn } from "./calendar-day.js";
import { parseCompare } from "./compare.js";
import type { Aggregate } from "./periods.js";
import { ReportArgumentError } from "./report-argument-error.js";
import type { Compare } from "./types.js";

/** Raw report arguments as they arrive from a query string or body. */
export interface RawReportArgs {
  start?: unknown;
  end?: unknown;
  aggregate?: unknown;
  /** `previous` or `year`. */
  compare?: unknown;
}

/** What the report needs from the config to read its arguments. */
export interface ReportArgsContext {
  /** Report time zone (IANA). */
  timezone: string;
  /** Longest range accepted, in days. */
  maxRangeDays: number;
  /** The current instant; defaults to now (tests pass a fixed one). */
  now?: Date;
}

/** Validated report arguments: calendar days in the report zone, both inclusive. */
export interface ReportRange {
  start: CalendarDay;
  end: CalendarDay;
  aggregate: Aggregate;
  /** Today in the report zone, which decides whether a period has ended. */
  today: CalendarDay;
  /** What to compare with, if anything. */
  compare?: Compare;
}

/** Days before `end` the default range starts. */
export const DEFAULT_RANGE_DAYS = 90;

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * Reads a date argument (an ISO date, an ISO datetime, or a Date) as its calendar day in `timeZone`.
 * Throws {@link ReportArgumentError} naming `name`.
 */
export function parseDayArgument(name: string, value: unknown, timeZone: string): CalendarDay {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new ReportArgumentError(name, `${name}: not a valid date`);
    return dayOfInstant(value, timeZone);
  }
  if (typeof value !== "string") {
    throw new ReportArgumentError(
      name,
      `${name}: expected an ISO date such as 2026-11-27, got ${typeof value}`,
    );
  }
  const text = value.trim();
  const date = parseIsoDate(text);
  // A date, or a local date-time (read in the report zone): only its calendar date counts. With a zone, the
  // instant's calendar day in the report zone.
  if (date) return date.hasZone ? dayOfInstant(date.instant, timeZone) : date.day;
  throw new ReportArgumentError(
    name,
    `${name}: "${text.slice(0, 40)}" is not an ISO date or datetime (expected e.g. 2026-11-27 or 2026-11-27T10:00:00Z)`,
  );
}

/** Reads `aggregate`: day|week|month|quarter|year or d|w|m|q|y, case-insensitive; default week. */
export function parseAggregate(value: unknown): Aggregate {
  return readReportArgument(
    "aggregate",
    value,
    aggregateArgument,
    (shown) => `${shown} is not one of day, week, month, quarter, year (or d, w, m, q, y)`,
  );
}

/**
 * Validates the report arguments per docs/contracts.md "Usage plugin routes": `end` defaults to today and `start` to `end` − 90 days (in the
 * report zone); both inclusive; end before start, an unknown aggregate or a range longer than
 * `maxRangeDays` throw {@link ReportArgumentError} naming the argument.
 */
export function parseReportArgs(raw: RawReportArgs, context: ReportArgsContext): ReportRange {
  const today = todayIn(context.timezone, context.now);
  const aggregate = parseAggregate(raw.aggregate);
  const compare = parseCompare(raw.compare);
  const end = isBlank(raw.end) ? today : parseDayArgument("end", raw.end, context.timezone);
  const start = isBlank(raw.start)
    ? addDays(end, -DEFAULT_RANGE_DAYS)
    : parseDayArgument("start", raw.start, context.timezone);
  if (end < start) {
    throw new ReportArgumentError("end", `end: ${end} is before start ${start}`);
  }
  const days = daysBetween(start, end) + 1;
  if (days > context.maxRangeDays) {
    throw new ReportArgumentError(
      "start",
      `start: the range ${start} to ${end} spans ${days} days, more than the allowed ${context.maxRangeDays} (usage.maxRangeDays)`,
    );
  }
  return compare === undefined ? { start, end, aggregate, today } : { start, end, aggregate, today, compare };
}

/** Reads an optional chart dimension (`width`, `height`) in pixels: an integer from 100 to 10000. */
export function parseDimension(name: string, value: unknown): number | undefined {
  return readReportArgument(
    name,
    value,
    dimensionArgument,
    () => "expected a whole number of pixels from 100 to 10000",
  );
}
