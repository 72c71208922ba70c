import type { Collection } from "mongodb";
import { addDays, type CalendarDay, dateToDay, daysBetween, dayToDate } from "./calendar-day.js";
import type { LoginDoc } from "./types.js";

/** One day of rolling active users (docs/contracts.md "Usage plugin routes", `/usage/active`). */
export interface ActiveRow {
  day: CalendarDay;
  /** Distinct users on that day. */
  dau: number;
  /** Distinct users over the 7 days ending that day. */
  wau: number;
  /** Distinct users over the 30 days ending that day. */
  mau: number;
  /** `dau / mau` rounded to 4 decimals, 0 when `mau` is 0. */
  stickiness: number;
}

/** Rolling active users over a range. */
export interface ActiveReport {
  start: CalendarDay;
  end: CalendarDay;
  timezone: string;
  rows: ActiveRow[];
  /** Last day the aggregation job has processed, or null before its first run. */
  dataThrough: CalendarDay | null;
}

/** CSV and table column order of `/usage/active/raw`. */
export const ACTIVE_COLUMNS = ["day", "dau", "wau", "mau", "stickiness"] as const;

const WEEK = 7;
const MONTH = 30;

/** `dau / mau` to 4 decimals, half up, from integers (no binary-fraction surprises); 0 without users. */
export function stickiness(dau: number, mau: number): number {
  return mau === 0 ? 0 : Math.round((dau * 10_000) / mau) / 10_000;
}

/**
 * DAU, WAU, MAU and stickiness for every day of [start, end]: one indexed read of the (day, user) documents
 * from 29 days before `start` (the windows reach back before it), then two sliding windows of per-user
 * counts, so the work grows with the documents read, not with days × window.
 */
export async function queryActive(
  target: Collection<LoginDoc>,
  range: { start: CalendarDay; end: CalendarDay },
  options: { timezone: string; exclude: readonly string[]; dataThrough: CalendarDay | null },
): Promise<ActiveReport> {
  const first = addDays(range.start, -(MONTH - 1));
  const days = daysBetween(first, range.end) + 1;
  const buckets: number[][] = Array.from({ length: days }, () => []);
  const ids = new Map<string, number>();
  const firstMs = dayToDate(first).getTime();
  const docs = target
    .find(
      { day: { $gte: dayToDate(first), $lte: dayToDate(range.end) }, user: { $nin: [...options.exclude] } },
      { projection: { _id: 0, day: 1, user: 1 } },
    )
    .batchSize(10_000);
  for await (const doc of docs) {
    let id = ids.get(doc.user);
    if (id === undefined) {
      id = ids.size;
      ids.set(doc.user, id);
    }
    buckets[Math.round((doc.day.getTime() - firstMs) / 86_400_000)]?.push(id);
  }
  const inWeek = new Int32Array(ids.size);
  const inMonth = new Int32Array(ids.size);
  let wau = 0;
  let mau = 0;
  const rows: ActiveRow[] = [];
  for (let d = 0; d < days; d++) {
    for (const id of buckets[d] as number[]) {
      if (inWeek[id]++ === 0) wau++;
      if (inMonth[id]++ === 0) mau++;
    }
    for (const id of buckets[d - WEEK] ?? []) if (--inWeek[id] === 0) wau--;
    for (const id of buckets[d - MONTH] ?? []) if (--inMonth[id] === 0) mau--;
    if (d < MONTH - 1) continue;
    const dau = (buckets[d] as number[]).length;
    rows.push({
      day: dateToDay(new Date(firstMs + d * 86_400_000)),
      dau,
      wau,
      mau,
      stickiness: stickiness(dau, mau),
    });
  }
  return {
    start: range.start,
    end: range.end,
    timezone: options.timezone,
    rows,
    dataThrough: options.dataThrough,
  };
}
