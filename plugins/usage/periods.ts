/**
 * Report periods: day, week, month, quarter and year over calendar days. Computed in UTC on the stored day
 * dates, which already carry the report zone's calendar date. Plain `Date.UTC` arithmetic: a 5-year weekly
 * report enumerates its periods in well under a millisecond (date-fns with a zone object took most of the
 * report's time).
 */
import { type CalendarDay, dayToDate } from "./calendar-day.js";

/** The period a report aggregates by. */
export type Aggregate = "day" | "week" | "month" | "quarter" | "year";

/** First day of a week: ISO weeks start on Monday. */
export type WeekStart = "monday" | "sunday";

/** A period's calendar extent and its label. */
export interface Period {
  /** `2026-11-27`, `2026-W48` (ISO week) or the first day for Sunday weeks, `2026-11`, `2026-Q4`, `2026`. */
  label: string;
  /** First calendar day of the period. */
  start: CalendarDay;
  /** Last calendar day of the period. */
  end: CalendarDay;
}

/** All aggregates, in order of size. */
export const AGGREGATES: readonly Aggregate[] = ["day", "week", "month", "quarter", "year"];

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** `YYYY-MM-DD` of a UTC date. */
function toDay(date: Date): CalendarDay {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** A UTC date; month and day may overflow (day 0 is the last day of the month before). */
function utc(year: number, month: number, day: number): Date {
  return new Date(Date.UTC(year, month, day));
}

/** The ISO week label of the week starting on Monday `monday`: its Thursday decides the year. */
function isoWeekLabel(monday: Date): string {
  const thursday = new Date(monday.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const dayOfYear = Math.round((thursday.getTime() - utc(year, 0, 1).getTime()) / DAY_MS);
  return `${pad(year, 4)}-W${pad(Math.floor(dayOfYear / 7) + 1)}`;
}

/** The period of `aggregate` that contains `day`. */
export function periodOf(day: CalendarDay, aggregate: Aggregate, weekStart: WeekStart = "monday"): Period {
  const date = dayToDate(day);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  switch (aggregate) {
    case "day":
      return { label: day, start: day, end: day };
    case "week": {
      const first = weekStart === "sunday" ? 0 : 1;
      const back = (date.getUTCDay() - first + 7) % 7;
      const start = new Date(date.getTime() - back * DAY_MS);
      const end = new Date(start.getTime() + 6 * DAY_MS);
      // ISO weeks carry the ISO week-numbering year: 2024-12-30 is in 2025-W01.
      const label = weekStart === "monday" ? isoWeekLabel(start) : toDay(start);
      return { label, start: toDay(start), end: toDay(end) };
    }
    case "month":
      return {
        label: `${pad(y, 4)}-${pad(m + 1)}`,
        start: toDay(utc(y, m, 1)),
        end: toDay(utc(y, m + 1, 0)),
      };
    case "quarter": {
      const q = Math.floor(m / 3);
      return {
        label: `${pad(y, 4)}-Q${q + 1}`,
        start: toDay(utc(y, q * 3, 1)),
        end: toDay(utc(y, q * 3 + 3, 0)),
      };
    }
    case "year":
      return { label: pad(y, 4), start: toDay(utc(y, 0, 1)), end: toDay(utc(y, 11, 31)) };
  }
}

/** The first day after the period that starts on `start` (a period start). */
function nextPeriodStart(start: CalendarDay, aggregate: Aggregate): CalendarDay {
  const date = dayToDate(start);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  switch (aggregate) {
    case "day":
      return toDay(new Date(date.getTime() + DAY_MS));
    case "week":
      return toDay(new Date(date.getTime() + 7 * DAY_MS));
    case "month":
      return toDay(utc(y, m + 1, date.getUTCDate()));
    case "quarter":
      return toDay(utc(y, m + 3, date.getUTCDate()));
    case "year":
      return toDay(utc(y + 1, m, date.getUTCDate()));
  }
}

/** Every period overlapping [start, end] (both inclusive), oldest first. */
export function enumeratePeriods(
  start: CalendarDay,
  end: CalendarDay,
  aggregate: Aggregate,
  weekStart: WeekStart = "monday",
): Period[] {
  const periods: Period[] = [];
  if (end < start) return periods;
  let period = periodOf(start, aggregate, weekStart);
  while (period.start <= end) {
    periods.push(period);
    period = periodOf(nextPeriodStart(period.start, aggregate), aggregate, weekStart);
  }
  return periods;
}

/**
 * A period is partial when it starts before the range, ends after it, or has not ended before `today`
 * (its numbers can still grow).
 */
export function isPartial(
  period: Period,
  rangeStart: CalendarDay,
  rangeEnd: CalendarDay,
  today: CalendarDay,
): boolean {
  return period.start < rangeStart || period.end > rangeEnd || period.end >= today;
}

/** A piece of a range: a whole month, quarter or year, or a run of days. */
export interface RangeSegment {
  unit: "day" | "month" | "quarter" | "year";
  start: CalendarDay;
  end: CalendarDay;
}

/**
 * Splits [start, end] into the fewest whole years, quarters and months, with runs of single days at the
 * edges: distinct users over a range are then a union over few precomputed sets.
 */
export function coverRange(start: CalendarDay, end: CalendarDay): RangeSegment[] {
  const segments: RangeSegment[] = [];
  let day = start;
  while (day <= end) {
    let segment: RangeSegment | undefined;
    for (const unit of ["year", "quarter", "month"] as const) {
      const period = periodOf(day, unit);
      if (period.start === day && period.end <= end) {
        segment = { unit, start: period.start, end: period.end };
        break;
      }
    }
    if (segment === undefined) {
      // Days up to the next month start (or the range end), merged into one run.
      const monthEnd = periodOf(day, "month").end;
      const runEnd = monthEnd < end ? monthEnd : end;
      const previous = segments[segments.length - 1];
      if (previous?.unit === "day" && nextPeriodStart(previous.end, "day") === day) previous.end = runEnd;
      else segments.push({ unit: "day", start: day, end: runEnd });
      day = nextPeriodStart(runEnd, "day");
      continue;
    }
    segments.push(segment);
    day = nextPeriodStart(segment.end, "day");
  }
  return segments;
}
