/**
 * `first_seen`: each user's first day with a successful login in the condensed data, kept by the job so
 * that `new_users` of any range is one small indexed read (the users whose first day falls inside it).
 */
import type { AnyBulkWriteOperation, Collection } from "mongodb";
import { type CalendarDay, dateToDay, dayToDate } from "./calendar-day.js";
import type { FirstSeenDoc } from "./rollups.js";
import type { LoginDoc } from "./types.js";

const CHUNK = 1_000;

/** Recomputes `first_seen` from every day document (one cursor read, grouped here): after a reset or an upgrade. */
export async function rebuildFirstSeen(
  target: Collection<LoginDoc>,
  firstSeen: Collection<FirstSeenDoc>,
): Promise<number> {
  const first = new Map<string, Date>();
  const docs = target.find({}, { projection: { _id: 0, user: 1, day: 1 } }).batchSize(10_000);
  for await (const doc of docs) {
    const known = first.get(doc.user);
    if (known === undefined || doc.day < known) first.set(doc.user, doc.day);
  }
  await firstSeen.deleteMany({});
  let batch: FirstSeenDoc[] = [];
  for (const [user, day] of first) {
    batch.push({ _id: user, day });
    if (batch.length >= CHUNK) {
      await firstSeen.insertMany(batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length > 0) await firstSeen.insertMany(batch, { ordered: false });
  return first.size;
}

/**
 * Keeps `first_seen` right while a run condenses days one after another. A user present on a day gets that
 * day when it is earlier than the recorded one (or none is recorded); a user whose document of a day was
 * removed, and whose first day it was, gets their next day (or loses the entry). Known first days are
 * remembered for the run, so each user is looked up once per run, not once per day.
 */
export class FirstSeenTracker {
  private readonly known = new Map<string, CalendarDay | null>();

  constructor(
    private readonly target: Collection<LoginDoc>,
    private readonly firstSeen: Collection<FirstSeenDoc>,
  ) {}

  private async lookUp(users: readonly string[]): Promise<void> {
    const unknown = users.filter((u) => !this.known.has(u));
    for (let i = 0; i < unknown.length; i += CHUNK) {
      const chunk = unknown.slice(i, i + CHUNK);
      for (const u of chunk) this.known.set(u, null);
      for await (const doc of this.firstSeen.find({ _id: { $in: chunk } })) {
        this.known.set(doc._id, dateToDay(doc.day));
      }
    }
  }

  /** Applies one condensed day: its users, and the users whose document of the day was removed. */
  async afterDay(day: CalendarDay, present: readonly string[], removed: readonly string[]): Promise<void> {
    await this.lookUp(present);
    await this.lookUp(removed);
    const writes: AnyBulkWriteOperation<FirstSeenDoc>[] = [];
    const date = dayToDate(day);
    for (const user of present) {
      const first = this.known.get(user);
      if (first !== null && first !== undefined && first <= day) continue;
      this.known.set(user, day);
      writes.push({ replaceOne: { filter: { _id: user }, replacement: { day: date }, upsert: true } });
    }
    for (const user of removed) {
      if (this.known.get(user) !== day) continue;
      // Their first day is gone: the next one in the data, if any (rare: a corrected source).
      const next = await this.target
        .find({ user, day: { $gt: date } }, { projection: { _id: 0, day: 1 } })
        .sort({ day: 1 })
        .limit(1)
        .next();
      if (next) {
        this.known.set(user, dateToDay(next.day));
        writes.push({ replaceOne: { filter: { _id: user }, replacement: { day: next.day }, upsert: true } });
      } else {
        this.known.set(user, null);
        writes.push({ deleteOne: { filter: { _id: user } } });
      }
    }
    for (let i = 0; i < writes.length; i += CHUNK) {
      await this.firstSeen.bulkWrite(writes.slice(i, i + CHUNK), { ordered: false });
    }
  }
}
