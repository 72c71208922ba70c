import type { Collection, Document } from "mongodb";
import { addDays, type CalendarDay, dateToDay, dayToDate } from "./calendar-day.js";
import { comparedRange } from "./compare.js";
import { firstDaysInRange } from "./new-users.js";
import {
  type Aggregate,
  coverRange,
  enumeratePeriods,
  isPartial,
  type Period,
  periodOf,
  type WeekStart,
} from "./periods.js";
import type { ReportRange } from "./report-args.js";
import { countId, type RollupMetaDoc, type Rollups, type RollupUnit, readRollupMetaDoc } from "./rollups.js";
import type { LoginDoc, ReportRow, ReportTotal, UsageReport } from "./types.js";

/** Options of {@link queryReport}. */
export interface ReportOptions {
  /** Report time zone (shown; the stored days are already in it). */
  timezone: string;
  weekStartsOn: WeekStart;
  /** Users not counted (`admin` and `usage.excludeUsers`), also applied to data condensed earlier. */
  exclude: readonly string[];
  /**
   * Last day processed by the aggregation job (its cookie). Undefined falls back to the newest stored day;
   * null means unknown.
   */
  dataThrough?: CalendarDay | null;
  /**
   * The job's period rollups. When given and built with the same exclusions, whole periods are read from
   * them and the range total is a union of few precomputed sets; otherwise everything is counted from the
   * day documents.
   */
  rollups?: Rollups;
}

/** First-batch size of the report's small reads: one round trip however long the range (no getMore). */
export const ONE_BATCH = 100_000;

interface PeriodCount {
  _id: Date;
  users: number;
  logins: number;
}

interface TotalCount {
  users: number;
  logins: number;
}

/** The expression truncating the stored day to its period start (the stored day is zone-free: UTC). */
function periodExpression(aggregate: Aggregate, weekStart: WeekStart): unknown {
  if (aggregate === "day") return "$day";
  const trunc: Record<string, unknown> = { date: "$day", unit: aggregate };
  if (aggregate === "week") trunc.startOfWeek = weekStart;
  return { $dateTrunc: trunc };
}

/** The two-stage distinct count: (period, user) pairs first, then users per period. */
export function reportPipeline(range: ReportRange, options: ReportOptions): Document[] {
  return [
    {
      $match: {
        day: { $gte: dayToDate(range.start), $lte: dayToDate(range.end) },
        user: { $nin: [...options.exclude] },
      },
    },
    {
      $group: {
        _id: { p: periodExpression(range.aggregate, options.weekStartsOn), u: "$user" },
        logins: { $sum: "$logins" },
      },
    },
    { $group: { _id: "$_id.p", users: { $sum: 1 }, logins: { $sum: "$logins" } } },
  ];
}

function totalPipeline(range: ReportRange, options: ReportOptions): Document[] {
  const [match] = reportPipeline(range, options);
  return [
    match as Document,
    { $group: { _id: "$user", logins: { $sum: "$logins" } } },
    { $group: { _id: null, users: { $sum: 1 }, logins: { $sum: "$logins" } } },
  ];
}

async function newestDay(target: Collection<LoginDoc>): Promise<CalendarDay | null> {
  const doc = await target
    .find({}, { projection: { _id: 0, day: 1 } })
    .sort({ day: -1 })
    .limit(1)
    .next();
  return doc ? dateToDay(doc.day) : null;
}

interface Counted {
  users: number;
  logins: number;
}

/** Counts per period from the day documents (two `$group` stages), keyed by period start. */
async function countFromDays(
  target: Collection<LoginDoc>,
  range: ReportRange,
  options: ReportOptions,
): Promise<{ perPeriod: Map<CalendarDay, Counted>; total: Counted }> {
  const [counts, totals] = await Promise.all([
    target.aggregate<PeriodCount>(reportPipeline(range, options)).toArray(),
    target.aggregate<TotalCount>(totalPipeline(range, options)).toArray(),
  ]);
  const total = totals[0];
  return {
    perPeriod: new Map(counts.map((c) => [dateToDay(c._id), c])),
    total: { users: total?.users ?? 0, logins: total?.logins ?? 0 },
  };
}

function rollupUnit(aggregate: Aggregate, weekStart: WeekStart): RollupUnit | "day" {
  return aggregate === "week" ? `week-${weekStart}` : aggregate;
}

/**
 * Distinct users and logins over [start, end] from the rollups: the users of whole years, quarters and
 * months from their (period, user) documents, of the days at the edges from the day documents, each piece
 * one `distinct` (the server sends one list of names, not a document per user and period); the logins, which
 * add up, from the pieces' count documents. A 5-year range is five yearly sets plus edges; the union is
 * taken here.
 */
async function countSpan(
  target: Collection<LoginDoc>,
  rollups: Rollups,
  start: CalendarDay,
  end: CalendarDay,
  exclude: readonly string[],
): Promise<Counted> {
  const segments = coverRange(start, end);
  const lists: Promise<string[]>[] = [];
  const countIds: string[] = [];
  for (const unit of ["year", "quarter", "month"] as const) {
    const whole = segments.filter((s) => s.unit === unit);
    if (whole.length === 0) continue;
    lists.push(
      rollups.periodUsers.distinct("user", { unit, start: { $in: whole.map((s) => dayToDate(s.start)) } }),
    );
    for (const s of whole) countIds.push(countId(unit, s.start));
  }
  for (const s of segments.filter((s) => s.unit === "day")) {
    const days = { $gte: dayToDate(s.start), $lte: dayToDate(s.end) };
    lists.push(target.distinct("user", { day: days, user: { $nin: [...exclude] } }));
    for (let day = s.start; day <= s.end; day = addDays(day, 1)) countIds.push(countId("day", day));
  }
  const [userLists, counts] = await Promise.all([
    Promise.all(lists),
    rollups.periodCounts
      .find({ _id: { $in: countIds } }, { projection: { _id: 0, logins: 1 }, batchSize: ONE_BATCH })
      .toArray(),
  ]);
  const users = new Set<string>();
  for (const list of userLists) for (const user of list) users.add(user);
  return { users: users.size, logins: counts.reduce((sum, c) => sum + c.logins, 0) };
}

function later(a: CalendarDay, b: CalendarDay): CalendarDay {
  return a > b ? a : b;
}

function earlier(a: CalendarDay, b: CalendarDay): CalendarDay {
  return a < b ? a : b;
}

/** Counts per period and the total from the rollups: whole periods from their count documents. */
async function countFromRollups(
  target: Collection<LoginDoc>,
  rollups: Rollups,
  range: ReportRange,
  periods: readonly Period[],
  options: ReportOptions,
): Promise<{ perPeriod: Map<CalendarDay, Counted>; total: Counted }> {
  const unit = rollupUnit(range.aggregate, options.weekStartsOn);
  const inside = periods.filter((p) => p.start >= range.start && p.end <= range.end);
  const cut = periods.filter((p) => p.start < range.start || p.end > range.end);
  const [counts, cutCounts, total] = await Promise.all([
    rollups.periodCounts
      .find({ _id: { $in: inside.map((p) => countId(unit, p.start)) } }, { batchSize: ONE_BATCH })
      .toArray(),
    Promise.all(
      cut.map((p) =>
        countSpan(target, rollups, later(p.start, range.start), earlier(p.end, range.end), options.exclude),
      ),
    ),
    countSpan(target, rollups, range.start, range.end, options.exclude),
  ]);
  const perPeriod = new Map<CalendarDay, Counted>(counts.map((c) => [dateToDay(c.start), c]));
  for (const [i, p] of cut.entries()) perPeriod.set(p.start, cutCounts[i] as Counted);
  return { perPeriod, total };
}

/** The rollups' meta when they were built with these exclusions (so they can be trusted), else undefined. */
async function usableMeta(
  rollups: Rollups | undefined,
  exclude: readonly string[],
): Promise<RollupMetaDoc | undefined> {
  if (rollups === undefined) return undefined;
  const meta = await readRollupMetaDoc(rollups);
  const built = meta?.exclude;
  const wanted = [...new Set(exclude)].sort();
  const same =
    built !== undefined && built.length === wanted.length && built.every((u, i) => u === wanted[i]);
  return same ? meta : undefined;
}

/** New users per period start, and in the whole range. */
async function countNewUsers(
  target: Collection<LoginDoc>,
  rollups: Rollups | undefined,
  meta: RollupMetaDoc | undefined,
  range: ReportRange,
  options: ReportOptions,
): Promise<{ perPeriod: Map<CalendarDay, number>; total: number }> {
  const firstSeen = meta?.firstSeen ? rollups?.firstSeen : undefined;
  const firstDays = await firstDaysInRange(target, firstSeen, range.start, range.end, options.exclude);
  const perPeriod = new Map<CalendarDay, number>();
  for (const day of firstDays) {
    const start = periodOf(day, range.aggregate, options.weekStartsOn).start;
    perPeriod.set(start, (perPeriod.get(start) ?? 0) + 1);
  }
  return { perPeriod, total: firstDays.length };
}

/**
 * The usage report over a range: distinct users and logins per period, zero-filled here for every period
 * overlapping the range, with `partial` flags and new/returning users, plus the range's own distinct-user
 * total. Counted from the job's period rollups when they match the current exclusions, else in MongoDB from
 * the day documents (two `$group` stages); both give the same numbers. With `range.compare` every row and
 * the total also carry the compared report's values at the same index (docs/contracts.md "Usage plugin
 * routes").
 */
export async function queryReport(
  target: Collection<LoginDoc>,
  range: ReportRange,
  options: ReportOptions,
): Promise<UsageReport> {
  const compared = range.compare ? comparedRange(range.start, range.end, range.compare) : undefined;
  const [report, previous] = await Promise.all([
    querySingle(target, range, options),
    compared
      ? querySingle(
          target,
          { ...range, start: compared.start, end: compared.end, compare: undefined },
          {
            ...options,
            dataThrough: null,
          },
        )
      : Promise.resolve(undefined),
  ]);
  if (compared === undefined || previous === undefined) return report;
  const rows = report.rows.map((row, i) => {
    const other = previous.rows[i];
    return { ...row, previous_users: other?.users ?? null, previous_logins: other?.logins ?? null };
  });
  const total = {
    ...report.total,
    previous_users: previous.total.users,
    previous_logins: previous.total.logins,
  };
  return { ...report, rows, total, compared };
}

async function querySingle(
  target: Collection<LoginDoc>,
  range: ReportRange,
  options: ReportOptions,
): Promise<UsageReport> {
  const periods = enumeratePeriods(range.start, range.end, range.aggregate, options.weekStartsOn);
  const meta = await usableMeta(options.rollups, options.exclude);
  const [counted, fresh, dataThrough] = await Promise.all([
    meta && options.rollups
      ? countFromRollups(target, options.rollups, range, periods, options)
      : countFromDays(target, range, options),
    countNewUsers(target, options.rollups, meta, range, options),
    options.dataThrough === undefined ? newestDay(target) : Promise.resolve(options.dataThrough),
  ]);
  const rows: ReportRow[] = periods.map((period) => {
    const count = counted.perPeriod.get(period.start);
    const users = count?.users ?? 0;
    const newUsers = fresh.perPeriod.get(period.start) ?? 0;
    return {
      label: period.label,
      start: period.start,
      end: period.end,
      users,
      logins: count?.logins ?? 0,
      partial: isPartial(period, range.start, range.end, range.today),
      new_users: newUsers,
      returning_users: users - newUsers,
    };
  });
  const total: ReportTotal = {
    users: counted.total.users,
    logins: counted.total.logins,
    new_users: fresh.total,
    returning_users: counted.total.users - fresh.total,
  };
  return {
    start: range.start,
    end: range.end,
    aggregate: range.aggregate,
    timezone: options.timezone,
    weekStartsOn: options.weekStartsOn,
    rows,
    total,
    dataThrough,
  };
}
