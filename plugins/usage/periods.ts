/**
 * Report periods: day, week, month, quarter and year over calendar days. Computed in UTC on the stored day
 * dates, which already carry the report zone's calendar date.
 */
import { tz } from "@date-fns/tz";
import {
  addDays as addDaysFns,
  addMonths,
  addQuarters,
  addWeeks,
  addYears,
  endOfMonth,
  endOfQuarter,
  endOfWeek,
  endOfYear,
  format,
  startOfMonth,
  startOfQuarter,
  startOfWeek,
  startOfYear,
} from "date-fns";
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

const UTC = tz("UTC");

function weekStartsOnIndex(weekStart: WeekStart): 0 | 1 {
  return weekStart === "sunday" ? 0 : 1;
}

function toDay(date: Date): CalendarDay {
  return format(date, "yyyy-MM-dd", { in: UTC });
}

/** The period of `aggregate` that contains `day`. */
export function periodOf(day: CalendarDay, aggregate: Aggregate, weekStart: WeekStart = "monday"): Period {
  const date = dayToDate(day);
  const weekStartsOn = weekStartsOnIndex(weekStart);
  switch (aggregate) {
    case "day":
      return { label: day, start: day, end: day };
    case "week": {
      const start = startOfWeek(date, { weekStartsOn, in: UTC });
      // ISO weeks carry the ISO week-numbering year: 2024-12-30 is in 2025-W01.
      const label = weekStart === "monday" ? format(start, "RRRR-'W'II", { in: UTC }) : toDay(start);
      return { label, start: toDay(start), end: toDay(endOfWeek(date, { weekStartsOn, in: UTC })) };
    }
    case "month":
      return {
        label: format(date, "yyyy-MM", { in: UTC }),
        start: toDay(startOfMonth(date, { in: UTC })),
        end: toDay(endOfMonth(date, { in: UTC })),
      };
    case "quarter":
      return {
        label: format(date, "yyyy-'Q'Q", { in: UTC }),
        start: toDay(startOfQuarter(date, { in: UTC })),
        end: toDay(endOfQuarter(date, { in: UTC })),
      };
    case "year":
      return {
        label: format(date, "yyyy", { in: UTC }),
        start: toDay(startOfYear(date, { in: UTC })),
        end: toDay(endOfYear(date, { in: UTC })),
      };
  }
}

function nextPeriodStart(start: CalendarDay, aggregate: Aggregate): CalendarDay {
  const date = dayToDate(start);
  const next = {
    day: () => addDaysFns(date, 1, { in: UTC }),
    week: () => addWeeks(date, 1, { in: UTC }),
    month: () => addMonths(date, 1, { in: UTC }),
    quarter: () => addQuarters(date, 1, { in: UTC }),
    year: () => addYears(date, 1, { in: UTC }),
  }[aggregate]();
  return toDay(next);
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
