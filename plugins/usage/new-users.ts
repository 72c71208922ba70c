import type { Collection } from "mongodb";
import { type CalendarDay, dateToDay, dayToDate } from "./calendar-day.js";
import type { FirstSeenDoc } from "./rollups.js";
import type { LoginDoc } from "./types.js";

/**
 * The first days of the users whose first successful login ever (in the condensed data) falls inside
 * [start, end], excluded users left out: one per new user of the range. Read from the job's `first_seen`
 * when it is complete, else grouped in MongoDB from the day documents up to `end` (right, slower).
 */
export async function firstDaysInRange(
  target: Collection<LoginDoc>,
  firstSeen: Collection<FirstSeenDoc> | undefined,
  start: CalendarDay,
  end: CalendarDay,
  exclude: readonly string[],
): Promise<CalendarDay[]> {
  const span = { $gte: dayToDate(start), $lte: dayToDate(end) };
  if (firstSeen !== undefined) {
    const docs = await firstSeen
      .find(
        { day: span, _id: { $nin: [...exclude] } },
        // One round trip: a document per new user, small.
        { projection: { _id: 0, day: 1 }, batchSize: 100_000 },
      )
      .toArray();
    return docs.map((d) => dateToDay(d.day));
  }
  const docs = await target
    .aggregate<{ day: Date }>([
      { $match: { day: { $lte: dayToDate(end) }, user: { $nin: [...exclude] } } },
      { $group: { _id: "$user", day: { $min: "$day" } } },
      { $match: { day: span } },
    ])
    .toArray();
  return docs.map((d) => dateToDay(d.day));
}
