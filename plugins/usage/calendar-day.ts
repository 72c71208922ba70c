/**
 * Calendar days as `YYYY-MM-DD` strings. A login belongs to the calendar day of the report time zone in
 * which it happened; once stored as that day (UTC midnight of the date), every later period computation is
 * zone-free.
 */
import { TZDate, tz } from "@date-fns/tz";
import { format } from "date-fns";

/** A calendar date, `YYYY-MM-DD`. */
export type CalendarDay = string;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** True for a real calendar date written `YYYY-MM-DD` (`2026-02-30` is not one). */
export function isValidDay(text: string): boolean {
  const match = DAY_PATTERN.exec(text);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** The day as the Date stored in the target collection: UTC midnight of that date. */
export function dayToDate(day: CalendarDay): Date {
  if (!isValidDay(day)) throw new RangeError(`not a calendar date YYYY-MM-DD: "${day}"`);
  return new Date(`${day}T00:00:00.000Z`);
}

/** The calendar day of a stored day Date (UTC midnight of the date). */
export function dateToDay(date: Date): CalendarDay {
  return date.toISOString().slice(0, 10);
}

/** `day` moved by `days` (negative for earlier days). */
export function addDays(day: CalendarDay, days: number): CalendarDay {
  return dateToDay(new Date(dayToDate(day).getTime() + days * MS_PER_DAY));
}

/** Number of days from `from` to `to` (0 when equal, negative when `to` is earlier). */
export function daysBetween(from: CalendarDay, to: CalendarDay): number {
  return Math.round((dayToDate(to).getTime() - dayToDate(from).getTime()) / MS_PER_DAY);
}

/** Every day from `start` to `end`, both inclusive. */
export function* eachDay(start: CalendarDay, end: CalendarDay): Generator<CalendarDay> {
  for (let day = start; day <= end; day = addDays(day, 1)) yield day;
}

/** The calendar day an instant falls on in `timeZone`. */
export function dayOfInstant(instant: Date, timeZone: string): CalendarDay {
  return format(instant, "yyyy-MM-dd", { in: tz(timeZone) });
}

/** Today in `timeZone`. */
export function todayIn(timeZone: string, now: Date = new Date()): CalendarDay {
  return dayOfInstant(now, timeZone);
}

/**
 * The instants bounding a calendar day in `timeZone`: `from` (inclusive, local midnight) to `to` (exclusive,
 * the next local midnight). A day is 23 or 25 hours long across a daylight-saving change.
 */
export function dayBounds(day: CalendarDay, timeZone: string): { from: Date; to: Date } {
  const date = dayToDate(day);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const d = date.getUTCDate();
  return {
    from: new Date(new TZDate(y, m, d, timeZone).getTime()),
    to: new Date(new TZDate(y, m, d + 1, timeZone).getTime()),
  };
}
