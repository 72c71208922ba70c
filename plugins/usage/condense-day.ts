import type { AnyBulkWriteOperation, Collection, Document } from "mongodb";
import { type CalendarDay, dayBounds, dayToDate } from "./calendar-day.js";
import type { LoginDoc } from "./types.js";

/** The sys.log message of a successful login (docs/contracts.md "Successful login event"). */
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
  /** The users of the day. */
  userNames: string[];
  /** The users whose document of the day was removed. */
  removedUsers: string[];
}

interface UserDay {
  _id: string;
  logins: number;
  first: Date;
  last: Date;
}

/** The source filter of a day's successful logins (served by the source's (message, created) index). */
export function dayFilter(day: CalendarDay, timezone: string, exclude: readonly string[]): Document {
  const { from, to } = dayBounds(day, timezone);
  return {
    message: LOGIN_MESSAGE,
    level: "INFO",
    created: { $gte: from, $lt: to },
    user: { $type: "string", $nin: [...exclude] },
  };
}

interface LoginEvent {
  user: string;
  created: Date;
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
  let logins = 0;
  let batch: AnyBulkWriteOperation<LoginDoc>[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const operations = batch;
    batch = [];
    await target.bulkWrite(operations, { ordered: false });
  };

  // One pass over the day's events, grouped here: the job reads its input once, whatever the server.
  const perUser = new Map<string, UserDay>();
  const events = source
    .find<LoginEvent>(dayFilter(day, options.timezone, options.exclude), {
      projection: { _id: 0, user: 1, created: 1 },
    })
    .batchSize(10_000);
  for await (const event of events) {
    const entry = perUser.get(event.user);
    if (entry === undefined) {
      perUser.set(event.user, { _id: event.user, logins: 1, first: event.created, last: event.created });
    } else {
      entry.logins += 1;
      if (event.created < entry.first) entry.first = event.created;
      if (event.created > entry.last) entry.last = event.created;
    }
  }
  for (const row of perUser.values()) {
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
    if (!perUser.has(doc.user)) stale.push(doc.user);
  }
  let removed = 0;
  for (let i = 0; i < stale.length; i += batchSize) {
    const result = await target.deleteMany({ day: dayDate, user: { $in: stale.slice(i, i + batchSize) } });
    removed += result.deletedCount;
  }
  return { day, users: perUser.size, logins, removed, userNames: [...perUser.keys()], removedUsers: stale };
}
