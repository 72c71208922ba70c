import type { Collection } from "mongodb";
import { addDays, type CalendarDay, dateToDay, daysBetween, dayToDate } from "./calendar-day.js";
import { enumeratePeriods } from "./periods.js";
import { type Rollups, readRollupMetaDoc } from "./rollups.js";
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

/** Options of {@link queryActive}. */
export interface ActiveOptions {
  timezone: string;
  /** Users not counted (`admin` and `usage.excludeUsers`). */
  exclude: readonly string[];
  dataThrough: CalendarDay | null;
  /**
   * The job's rollups: when they were built with these exclusions and carry each month's days, the days
   * are read from the month documents (one per user and month) instead of one document per user and day.
   */
  rollups?: Rollups;
}

/** Users' active days as per-day lists of small user ids, from `first` on. */
interface DayBuckets {
  buckets: number[][];
  users: number;
}

async function monthsUsable(rollups: Rollups | undefined, exclude: readonly string[]): Promise<boolean> {
  if (rollups === undefined) return false;
  const meta = await readRollupMetaDoc(rollups);
  const wanted = [...new Set(exclude)].sort();
  return (
    meta?.monthDays === true &&
    meta.exclude.length === wanted.length &&
    meta.exclude.every((u, i) => u === wanted[i])
  );
}

async function bucketsFromDays(
  target: Collection<LoginDoc>,
  first: CalendarDay,
  end: CalendarDay,
  exclude: readonly string[],
): Promise<DayBuckets> {
  const days = daysBetween(first, end) + 1;
  const buckets: number[][] = Array.from({ length: days }, () => []);
  const ids = new Map<string, number>();
  const firstMs = dayToDate(first).getTime();
  const docs = target
    .find(
      { day: { $gte: dayToDate(first), $lte: dayToDate(end) }, user: { $nin: [...exclude] } },
      { projection: { _id: 0, day: 1, user: 1 } },
    )
    .batchSize(10_000);
  for await (const doc of docs) {
    const id = userNumber(ids, doc.user);
    buckets[Math.round((doc.day.getTime() - firstMs) / DAY_MS)]?.push(id);
  }
  return { buckets, users: ids.size };
}

/** The small number standing for `user` in the day buckets, given on first sight. */
function userNumber(ids: Map<string, number>, user: string): number {
  let id = ids.get(user);
  if (id === undefined) {
    id = ids.size;
    ids.set(user, id);
  }
  return id;
}

async function bucketsFromMonths(
  rollups: Rollups,
  first: CalendarDay,
  end: CalendarDay,
): Promise<DayBuckets> {
  const days = daysBetween(first, end) + 1;
  const buckets: number[][] = Array.from({ length: days }, () => []);
  const ids = new Map<string, number>();
  const firstMs = dayToDate(first).getTime();
  const starts = enumeratePeriods(first, end, "month").map((m) => dayToDate(m.start));
  const docs = rollups.periodUsers
    .find({ unit: "month", start: { $in: starts } }, { projection: { _id: 0, start: 1, user: 1, days: 1 } })
    .batchSize(10_000);
  for await (const doc of docs) {
    const id = userNumber(ids, doc.user);
    const offset = Math.round((doc.start.getTime() - firstMs) / DAY_MS);
    for (let mask = doc.days ?? 0; mask !== 0; mask &= mask - 1) {
      const bit = 31 - Math.clz32(mask & -mask);
      buckets[offset + bit]?.push(id);
    }
  }
  return { buckets, users: ids.size };
}

const DAY_MS = 86_400_000;

/**
 * DAU, WAU, MAU and stickiness for every day of [start, end]: one read of the users' days from 29 days
 * before `start` (the windows reach back before it) — from the month rollups when they are usable, else
 * from the (day, user) documents — then two sliding windows of per-user counts, so the work grows with the
 * data read, not with days × window.
 */
export async function queryActive(
  target: Collection<LoginDoc>,
  range: { start: CalendarDay; end: CalendarDay },
  options: ActiveOptions,
): Promise<ActiveReport> {
  const first = addDays(range.start, -(MONTH - 1));
  const days = daysBetween(first, range.end) + 1;
  const { buckets, users } =
    options.rollups && (await monthsUsable(options.rollups, options.exclude))
      ? await bucketsFromMonths(options.rollups, first, range.end)
      : await bucketsFromDays(target, first, range.end, options.exclude);
  const firstMs = dayToDate(first).getTime();
  const inWeek = new Int32Array(users);
  const inMonth = new Int32Array(users);
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
      day: dateToDay(new Date(firstMs + d * DAY_MS)),
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
