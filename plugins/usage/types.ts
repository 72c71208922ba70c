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
  /** Distinct users over the whole range (its own count, not a sum of rows) and their logins. */
  total: { users: number; logins: number };
  /** Last day the aggregation job has processed, or null before its first run. */
  dataThrough: CalendarDay | null;
}
