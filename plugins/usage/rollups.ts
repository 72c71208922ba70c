/**
 * Period rollups: what keeps a 5-year report about as cheap as a 90-day one. Beside the day documents the
 * job keeps, for every week (both week starts), month, quarter and year, one document per (period, user)
 * and one count document per period (days too). Each is recomputed from the level below (days → weeks and
 * months, months → quarters, quarters → years), so a run touches only the periods of the days it
 * processed, and a rerun recomputes them identically.
 */
import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { type CalendarDay, dateToDay, dayToDate } from "./calendar-day.js";
import { enumeratePeriods, type Period, periodOf } from "./periods.js";
import type { LoginDoc } from "./types.js";

/** The rolled-up period kinds. */
export type RollupUnit = "week-monday" | "week-sunday" | "month" | "quarter" | "year";

/** In dependency order: a quarter is built from its months, a year from its quarters. */
export const ROLLUP_UNITS: readonly RollupUnit[] = ["week-monday", "week-sunday", "month", "quarter", "year"];

/** A user's logins in one period. */
export interface PeriodUserDoc {
  unit: RollupUnit;
  /** First day of the period (UTC midnight of the date). */
  start: Date;
  user: string;
  logins: number;
  /** Months only: the days of the month the user logged in on, bit `d − 1` for day `d` (rolling active users). */
  days?: number;
}

/** Distinct users and logins of one period; `_id` is `<unit>:<first day>`. */
export interface PeriodCountDoc {
  _id: string;
  unit: RollupUnit | "day";
  start: Date;
  users: number;
  logins: number;
}

/** What the rollups were built with; the report trusts them only when it matches the current config. */
export interface RollupMetaDoc {
  _id: "meta";
  /** Users left out when the data was condensed (sorted). */
  exclude: string[];
  /** True once the job keeps `first_seen` (each user's first day) complete. */
  firstSeen?: boolean;
  /** True once every month's (period, user) documents carry their `days`. */
  monthDays?: boolean;
}

/** A user's first day with a successful login in the condensed data; `_id` is the user. */
export interface FirstSeenDoc {
  _id: string;
  /** First day (UTC midnight of the date). */
  day: Date;
}

/** The rollup collections, in the target's database. */
export interface Rollups {
  periodUsers: Collection<PeriodUserDoc>;
  periodCounts: Collection<PeriodCountDoc>;
  /** Each user's first day: what makes `new_users` one small indexed read. */
  firstSeen?: Collection<FirstSeenDoc>;
}

/** Collection references of the rollups, derived from the target's (`usage/login` → `usage/login.period_users`). */
export function rollupRefs(targetRef: string): {
  periodUsers: string;
  periodCounts: string;
  firstSeen: string;
} {
  const query = targetRef.indexOf("?");
  const base = query < 0 ? targetRef : targetRef.slice(0, query);
  const rest = query < 0 ? "" : targetRef.slice(query);
  return {
    periodUsers: `${base}.period_users${rest}`,
    periodCounts: `${base}.period_counts${rest}`,
    firstSeen: `${base}.first_seen${rest}`,
  };
}

/** Creates the rollups' unique (unit, start, user) index. Idempotent. */
export async function ensureRollupIndexes(rollups: Rollups): Promise<void> {
  await rollups.periodUsers.createIndex(
    { unit: 1, start: 1, user: 1 },
    { unique: true, name: "unit_1_start_1_user_1" },
  );
  await rollups.firstSeen?.createIndex({ day: 1 }, { name: "day_1" });
}

/** The period of a rollup unit containing `day`. */
export function rollupPeriod(day: CalendarDay, unit: RollupUnit): Period {
  switch (unit) {
    case "week-monday":
      return periodOf(day, "week", "monday");
    case "week-sunday":
      return periodOf(day, "week", "sunday");
    default:
      return periodOf(day, unit);
  }
}

/** Count document id of a period. */
export function countId(unit: RollupUnit | "day", start: CalendarDay): string {
  return `${unit}:${start}`;
}

function metaCollection(rollups: Rollups): Collection<Document> {
  return rollups.periodCounts as unknown as Collection<Document>;
}

/** What the rollups were built with, or undefined when there are none yet. */
export async function readRollupMetaDoc(rollups: Rollups): Promise<RollupMetaDoc | undefined> {
  const meta = (await metaCollection(rollups).findOne({ _id: "meta" as never })) as RollupMetaDoc | null;
  return meta ?? undefined;
}

/** The exclusions the rollups were built with, or undefined when there are none yet. */
export async function readRollupMeta(rollups: Rollups): Promise<string[] | undefined> {
  return (await readRollupMetaDoc(rollups))?.exclude;
}

/** Records the exclusions the rollups are built with, and whether `first_seen` is complete. */
export async function writeRollupMeta(
  rollups: Rollups,
  exclude: readonly string[],
  complete = false,
): Promise<void> {
  const meta: Omit<RollupMetaDoc, "_id"> = { exclude: [...new Set(exclude)].sort() };
  if (complete) {
    meta.firstSeen = true;
    meta.monthDays = true;
  }
  await metaCollection(rollups).replaceOne({ _id: "meta" as never }, meta, { upsert: true });
}

/** Records a day's distinct users and logins (known from condensing it). */
export async function writeDayCount(
  rollups: Rollups,
  day: CalendarDay,
  users: number,
  logins: number,
): Promise<void> {
  await rollups.periodCounts.replaceOne(
    { _id: countId("day", day) },
    { unit: "day", start: dayToDate(day), users, logins },
    { upsert: true },
  );
}

const CHILD_UNIT: Partial<Record<RollupUnit, RollupUnit>> = { quarter: "month", year: "quarter" };

/**
 * Recomputes one period of `unit` (the one containing `day`) from the level below: its (period, user)
 * documents (only changed ones are written, vanished users removed) and its count document.
 */
export async function refreshPeriod(
  target: Collection<LoginDoc>,
  rollups: Rollups,
  unit: RollupUnit,
  day: CalendarDay,
  batchSize = 1_000,
): Promise<{ users: number; logins: number }> {
  const period = rollupPeriod(day, unit);
  const start = dayToDate(period.start);
  const span = { $gte: start, $lte: dayToDate(period.end) };
  const child = CHILD_UNIT[unit];
  // Grouped here from one indexed read of the level below (fast on any server, no $group needed). Months
  // also keep each user's days as a bit mask, which is what rolling active users read.
  const withDays = unit === "month";
  const sums = new Map<string, { logins: number; days: number }>();
  const rows =
    child === undefined
      ? target.find({ day: span }, { projection: { _id: 0, user: 1, logins: 1, day: 1 } })
      : rollups.periodUsers.find(
          { unit: child, start: span },
          { projection: { _id: 0, user: 1, logins: 1 } },
        );
  for await (const row of rows.batchSize(10_000)) {
    const sum = sums.get(row.user) ?? { logins: 0, days: 0 };
    sum.logins += row.logins;
    if (withDays && "day" in row) sum.days |= 1 << ((row.day as Date).getUTCDate() - 1);
    sums.set(row.user, sum);
  }

  const existing = new Map<string, { logins: number; days: number | undefined }>();
  for await (const doc of rollups.periodUsers.find(
    { unit, start },
    { projection: { _id: 0, user: 1, logins: 1, days: 1 } },
  )) {
    existing.set(doc.user, { logins: doc.logins, days: doc.days });
  }
  let users = 0;
  let logins = 0;
  let batch: AnyBulkWriteOperation<PeriodUserDoc>[] = [];
  for (const [user, sum] of sums) {
    users += 1;
    logins += sum.logins;
    const before = existing.get(user);
    existing.delete(user);
    if (before?.logins === sum.logins && (!withDays || before.days === sum.days)) continue;
    const replacement: PeriodUserDoc = { unit, start, user, logins: sum.logins };
    if (withDays) replacement.days = sum.days;
    batch.push({ replaceOne: { filter: { unit, start, user }, replacement, upsert: true } });
    if (batch.length >= batchSize) {
      await rollups.periodUsers.bulkWrite(batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length > 0) await rollups.periodUsers.bulkWrite(batch, { ordered: false });
  // What is left in `existing` has no logins in the period any more.
  const stale = [...existing.keys()];
  for (let i = 0; i < stale.length; i += batchSize) {
    await rollups.periodUsers.deleteMany({ unit, start, user: { $in: stale.slice(i, i + batchSize) } });
  }
  await rollups.periodCounts.replaceOne(
    { _id: countId(unit, period.start) },
    { unit, start, users, logins },
    { upsert: true },
  );
  return { users, logins };
}

/**
 * Brings the rollups up to date after `day` was condensed: each period is recomputed when `day` is its last
 * day, or when `day` is the last day of the run (`isLastOfRun`), so a period is rebuilt once per run.
 */
export async function rollupAfterDay(
  target: Collection<LoginDoc>,
  rollups: Rollups,
  day: CalendarDay,
  isLastOfRun: boolean,
): Promise<void> {
  for (const unit of ROLLUP_UNITS) {
    if (isLastOfRun || rollupPeriod(day, unit).end === day) await refreshPeriod(target, rollups, unit, day);
  }
}

/** Recomputes the month rollups of every month between the first and the last stored day (an upgrade step). */
export async function refreshStoredMonths(target: Collection<LoginDoc>, rollups: Rollups): Promise<number> {
  const projection = { _id: 0, day: 1 };
  const first = await target.find({}, { projection }).sort({ day: 1 }).limit(1).next();
  const last = await target.find({}, { projection }).sort({ day: -1 }).limit(1).next();
  if (!first || !last) return 0;
  const months = enumeratePeriods(dateToDay(first.day), dateToDay(last.day), "month");
  for (const month of months) await refreshPeriod(target, rollups, "month", month.start);
  return months.length;
}
