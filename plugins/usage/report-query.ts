import type { Collection, Document } from "mongodb";
import { type CalendarDay, dateToDay, dayToDate } from "./calendar-day.js";
import { type Aggregate, enumeratePeriods, isPartial, type WeekStart } from "./periods.js";
import type { ReportRange } from "./report-args.js";
import type { LoginDoc, ReportRow, UsageReport } from "./types.js";

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
}

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

/**
 * The usage report over a range: distinct users and logins per period counted in MongoDB (two `$group`
 * stages), zero-filled here for every period overlapping the range, with `partial` flags, plus the range's
 * own distinct-user total.
 */
export async function queryReport(
  target: Collection<LoginDoc>,
  range: ReportRange,
  options: ReportOptions,
): Promise<UsageReport> {
  const [counts, totals, dataThrough] = await Promise.all([
    target.aggregate<PeriodCount>(reportPipeline(range, options)).toArray(),
    target.aggregate<TotalCount>(totalPipeline(range, options)).toArray(),
    options.dataThrough === undefined ? newestDay(target) : Promise.resolve(options.dataThrough),
  ]);
  const byStart = new Map(counts.map((c) => [dateToDay(c._id), c]));
  const rows: ReportRow[] = enumeratePeriods(
    range.start,
    range.end,
    range.aggregate,
    options.weekStartsOn,
  ).map((period) => {
    const count = byStart.get(period.start);
    return {
      label: period.label,
      start: period.start,
      end: period.end,
      users: count?.users ?? 0,
      logins: count?.logins ?? 0,
      partial: isPartial(period, range.start, range.end, range.today),
    };
  });
  const total = totals[0];
  return {
    start: range.start,
    end: range.end,
    aggregate: range.aggregate,
    timezone: options.timezone,
    weekStartsOn: options.weekStartsOn,
    rows,
    total: { users: total?.users ?? 0, logins: total?.logins ?? 0 },
    dataThrough,
  };
}
