import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { type CalendarDay, dayBounds, dayToDate } from "./calendar-day.js";
import type { LoginDoc } from "./types.js";

/** The sys.log message of a successful login (DESIGN "Successful login event"). */
export const LOGIN_MESSAGE = "successful login";

/** Options of {@link condenseDay}. */
export interface CondenseOptions {
  /** Report time zone (IANA): decides which logins belong to the day. */
  timezone: string;
  /** Users left out (`admin` and `usage.excludeUsers`). */
  exclude: readonly string[];
  /** Fields added to every written document (provenance such as `_src`/`_job_id` when the caller adds it). */
  extra?: Readonly<Record<string, unknown>>;
  /** Upserts per bulk write. */
  batchSize?: number;
}

/** What {@link condenseDay} wrote. */
export interface CondenseResult {
  day: CalendarDay;
  /** Distinct users of the day (documents written). */
  users: number;
  /** Successful logins of the day. */
  logins: number;
  /** Documents of the day removed because their user no longer has logins that day. */
  removed: number;
}

interface UserDay {
  _id: string;
  logins: number;
  first: Date;
  last: Date;
}

/** The source pipeline: one row per user of the day with the login count and first/last time. */
export function dayPipeline(day: CalendarDay, timezone: string, exclude: readonly string[]): Document[] {
  const { from, to } = dayBounds(day, timezone);
  return [
    {
      $match: {
        message: LOGIN_MESSAGE,
        level: "INFO",
        created: { $gte: from, $lt: to },
        user: { $type: "string", $nin: [...exclude] },
      },
    },
    {
      $group: { _id: "$user", logins: { $sum: 1 }, first: { $min: "$created" }, last: { $max: "$created" } },
    },
  ];
}

/**
 * Recomputes one calendar day of the condensed target from the source log: one document per user with a
 * successful login that day (in `timezone`), replaced by (day, user), then the day's documents of users
 * without logins removed. The result depends only on the source, so running a day twice, or again after a
 * run killed at any point, leaves exactly what one clean run leaves.
 */
export async function condenseDay(
  source: Collection<Document>,
  target: Collection<LoginDoc>,
  day: CalendarDay,
  options: CondenseOptions,
): Promise<CondenseResult> {
  const dayDate = dayToDate(day);
  const batchSize = options.batchSize ?? 1_000;
  const seen = new Set<string>();
  let logins = 0;
  let batch: AnyBulkWriteOperation<LoginDoc>[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const operations = batch;
    batch = [];
    await target.bulkWrite(operations, { ordered: false });
  };

  const cursor = source.aggregate<UserDay>(dayPipeline(day, options.timezone, options.exclude), {
    allowDiskUse: true,
  });
  for await (const row of cursor) {
    seen.add(row._id);
    logins += row.logins;
    const replacement = {
      ...options.extra,
      day: dayDate,
      user: row._id,
      logins: row.logins,
      first: row.first,
      last: row.last,
    } as LoginDoc;
    batch.push({ replaceOne: { filter: { day: dayDate, user: row._id }, replacement, upsert: true } });
    if (batch.length >= batchSize) await flush();
  }
  await flush();

  // Users stored for the day but without logins now (source corrected, or exclusions changed).
  const stale: string[] = [];
  for await (const doc of target.find({ day: dayDate }, { projection: { _id: 0, user: 1 } })) {
    if (!seen.has(doc.user)) stale.push(doc.user);
  }
  let removed = 0;
  for (let i = 0; i < stale.length; i += batchSize) {
    const result = await target.deleteMany({ day: dayDate, user: { $in: stale.slice(i, i + batchSize) } });
    removed += result.deletedCount;
  }
  return { day, users: seen.size, logins, removed };
}
