import type { CalendarDay } from "./calendar-day.js";
import type { Aggregate, WeekStart } from "./periods.js";

/**
 * One document of the condensed target collection: one user's successful logins on one calendar day of the
 * report zone. Small and bounded (one per day and user), whatever the login volume.
 */
export interface LoginDoc {
  /** The calendar day in the report zone, stored as UTC midnight of that date. */
  day: Date;
  /** Login name. */
  user: string;
  /** Successful logins of the user on that day. */
  logins: number;
  /** Time of the day's first login. */
  first: Date;
  /** Time of the day's last login. */
  last: Date;
}

/** One report row (docs/contracts.md "Usage plugin routes"); CSV columns follow this order. */
export interface ReportRow {
  /** `2026-11-27`, `2026-W48`, `2026-11`, `2026-Q4`, `2026` (Sunday weeks: the week's first day). */
  label: string;
  /** First calendar day of the period. */
  start: CalendarDay;
  /** Last calendar day of the period. */
  end: CalendarDay;
  /** Distinct users with a successful login on the period's days inside the range. */
  users: number;
  /** Successful logins on the period's days inside the range. */
  logins: number;
  /** The period starts before the range, ends after it, or has not ended before today. */
  partial: boolean;
  /** Of `users`, those whose first successful login ever (in the condensed data) is on a counted day of the period. */
  new_users: number;
  /** `users` − `new_users`: users who had logged in before. */
  returning_users: number;
  /** With `compare`: `users` of the row at the same index of the compared report, null without one. */
  previous_users?: number | null;
  /** With `compare`: `logins` of the row at the same index of the compared report, null without one. */
  previous_logins?: number | null;
}

/** What a report compares with: the preceding range of equal length, or the same range a year earlier. */
export type Compare = "previous" | "year";

/** Distinct users and logins over a whole range (its own distinct count, not a sum of rows). */
export interface ReportTotal {
  users: number;
  logins: number;
  new_users: number;
  returning_users: number;
  /** With `compare`: the compared range's total. */
  previous_users?: number;
  previous_logins?: number;
}

/** The compared range of a report with `compare`. */
export interface ComparedRange {
  compare: Compare;
  start: CalendarDay;
  end: CalendarDay;
}

/** The usage report over one range. */
export interface UsageReport {
  /** First day of the range (inclusive). */
  start: CalendarDay;
  /** Last day of the range (inclusive). */
  end: CalendarDay;
  aggregate: Aggregate;
  /** Report time zone (IANA). */
  timezone: string;
  weekStartsOn: WeekStart;
  /** One row per period overlapping the range, oldest first, zero-filled. */
  rows: ReportRow[];
  /** Distinct users over the whole range (its own count, not a sum of rows), their logins, new and returning. */
  total: ReportTotal;
  /** The compared range, when the report was asked with `compare`. */
  compared?: ComparedRange;
  /** Last day the aggregation job has processed, or null before its first run. */
  dataThrough: CalendarDay | null;
}
